#include "curlerrors.h"

#include <curl/curl.h>

namespace Preflight {

ErrorClass classifyCurlError(int curlCode)
{
    switch (CURLcode(curlCode)) {
    case CURLE_OPERATION_TIMEDOUT:
        return ErrorClass::Timeout;
    case CURLE_COULDNT_CONNECT:
        return ErrorClass::Connect;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return ErrorClass::Dns;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return ErrorClass::Tls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    // What libcurl says to an answer without a status line (it refuses HTTP/0.9): a malformed answer from the
    // server, not a client problem, since base URLs are checked to be http:// or https://.
    case CURLE_UNSUPPORTED_PROTOCOL:
        return ErrorClass::Reset;
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR: // our write callback aborts a body above the limit
        return ErrorClass::TooLarge;
    default:
        return ErrorClass::Other;
    }
}

} // namespace Preflight
