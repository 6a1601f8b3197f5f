#pragma once

#include "data/errorsample.h"
#include "data/intervalsnapshot.h"
#include "segmentplan.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace Preflight {

// The coordinator–agent protocol (docs/distributed.md): JSON text messages over one TLS WebSocket, each an
// object with a "type":
//
//   agent → coordinator   hello {version, name, workers, nonce}      auth {proof}      pong {t0, t1}
//                         assigned {}   snapshot {interval}   error_samples {samples}   done {}   error {message}
//   coordinator → agent   challenge {nonce, proof}   welcome {}   ping {t0}   assign {plan, segment,
//   allow_non_loopback,
//                         headers}   start_at {wall_ms}   stop {level}   error {message}
//
// Authentication is mutual challenge–response over a shared token: each side proves it knows the token with
// an HMAC-SHA256 over both nonces and its role, so the token itself never crosses the wire, and an agent runs
// nothing for a coordinator that has not proved it first. Pure functions, thread-safe.
class AgentProtocol
{
public:
    static constexpr int kVersion = 1;

    static QByteArray encode(const QJsonObject &message);
    // nullopt for text that is not a JSON object with a string "type".
    static std::optional<QJsonObject> decode(const QByteArray &text);

    static QByteArray newNonce(); // 32 random bytes, hex
    // HMAC-SHA256(token, role + "\n" + first + "\n" + second), hex. role is "coordinator" or "agent".
    static QByteArray proof(const QByteArray &token, const char *role, const QByteArray &first,
                            const QByteArray &second);
    static bool sameProof(const QByteArray &a, const QByteArray &b); // constant time

    // An interval with its full histograms (LatencyHistogram::serialize, base64): decoding gives back an
    // equal snapshot, never a summary.
    static QJsonObject interval(const IntervalSnapshot &snapshot);
    static std::optional<IntervalSnapshot> intervalFrom(const QJsonObject &o);
    static QJsonObject errorSample(const ErrorSample &sample);
    static ErrorSample errorSampleFrom(const QJsonObject &o);
    static QJsonObject segment(const Segment &segment);
    static Segment segmentFrom(const QJsonObject &o);

    // The token from PREFLIGHT_AGENT_TOKEN, else from `file` (trailing whitespace removed). Empty + *error
    // naming the fix when neither gives one, or it is shorter than 16 bytes; `fileField` is how the error names
    // the file's field (the flag, or the GUI's label). *error never holds the token.
    static QByteArray readToken(const QString &file, QString *error,
                                const QString &fileField = QStringLiteral("--agent-token-file"));
};

} // namespace Preflight
