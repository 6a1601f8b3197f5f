#include "tlstestserver.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace PreflightTest {

namespace {

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

bool accepts(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

const char *kNginx = "/usr/sbin/nginx";

} // namespace

TlsTestServer::TlsTestServer() = default;

TlsTestServer::~TlsTestServer()
{
    if (m_nginx && m_nginx->state() != QProcess::NotRunning) {
        m_nginx->terminate();
        if (!m_nginx->waitForFinished(5000)) {
            m_nginx->kill();
            m_nginx->waitForFinished(2000);
        }
    }
}

QString TlsTestServer::url(const char *scheme, int port)
{
    return QStringLiteral("%1://127.0.0.1:%2").arg(QLatin1String(scheme)).arg(port);
}

bool TlsTestServer::openssl(const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error = QStringLiteral("openssl %1 failed: %2")
                      .arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(p.readAllStandardError()));
        return false;
    }
    return true;
}

bool TlsTestServer::makeCertificates()
{
    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                         QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    // The CA.
    if (!openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
                 QStringList{QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                             QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                             QStringLiteral("-subj"), QStringLiteral("/CN=Preflight Test CA"),
                             QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
                             QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")}))
        return false;
    // Certificates the CA signs: name, subject alternative names, purpose.
    struct Leaf
    {
        const char *name;
        const char *san;
        const char *usage;
    };
    for (const Leaf &leaf :
         {Leaf{"server", "DNS:localhost,IP:127.0.0.1", "serverAuth"},
          Leaf{"wronghost", "DNS:wrong.example", "serverAuth"}, Leaf{"client", "DNS:preflight-client", "clientAuth"}}) {
        const QString name = QLatin1String(leaf.name);
        QFile ext(m_dir.filePath(name + QStringLiteral(".ext")));
        if (!ext.open(QIODevice::WriteOnly))
            return false;
        ext.write(QByteArray("basicConstraints=CA:FALSE\nsubjectAltName=") + leaf.san +
                  "\nextendedKeyUsage=" + leaf.usage + "\n");
        ext.close();
        if (!openssl(QStringList{QStringLiteral("req")} + ec +
                     QStringList{QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
                                 name + QStringLiteral(".csr"), QStringLiteral("-subj"),
                                 QStringLiteral("/CN=") + name}) ||
            !openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                      name + QStringLiteral(".csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                      QStringLiteral("-CAkey"), QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"),
                      QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"),
                      name + QStringLiteral(".ext"), QStringLiteral("-out"), name + QStringLiteral(".pem")}))
            return false;
    }
    // Self-signed, for the right name: only the trust is wrong.
    return openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
                   QStringList{QStringLiteral("-keyout"), QStringLiteral("selfsigned.key"), QStringLiteral("-out"),
                               QStringLiteral("selfsigned.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                               QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                               QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1")});
}

bool TlsTestServer::writeConfig()
{
    const QByteArray d = m_dir.path().toLocal8Bit();
    auto server = [&](int port, const char *listen, const char *cert, const QByteArray &extra) -> QByteArray {
        QByteArray s = "    server {\n        listen 127.0.0.1:" + QByteArray::number(port) + " " + listen + ";\n";
        if (cert)
            s += "        ssl_certificate " + d + "/" + cert + ".pem;\n        ssl_certificate_key " + d + "/" + cert +
                 ".key;\n";
        return s + extra + "        location / { default_type text/plain; return 200 \"ok\"; }\n    }\n";
    };
    QByteArray conf = "worker_processes 1;\ndaemon off;\nmaster_process off;\nerror_log " + d +
                      "/error.log warn;\npid " + d + "/nginx.pid;\nevents { worker_connections 1024; }\nhttp {\n" +
                      "    access_log off;\n    keepalive_requests 1000000;\n    keepalive_timeout 60s;\n";
    for (const char *temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
        conf += "    " + QByteArray(temp) + "_temp_path " + d + "/" + temp + ";\n";
    conf += server(m_ports[0], "ssl http2", "server", {});
    conf += server(m_ports[1], "ssl", "selfsigned", {});
    conf += server(m_ports[2], "ssl", "wronghost", {});
    conf += server(m_ports[3], "ssl", "server",
                   "        ssl_client_certificate " + d + "/ca.pem;\n        ssl_verify_client on;\n");
    conf += server(m_ports[4], "http2", nullptr, {});
    conf += "}\n";
    QFile f(m_dir.filePath(QStringLiteral("nginx.conf")));
    return f.open(QIODevice::WriteOnly) && f.write(conf) == conf.size();
}

bool TlsTestServer::start()
{
    if (!QFile::exists(QLatin1String(kNginx))) {
        m_error = QStringLiteral("nginx is not installed (apt-get install nginx; see tests/corpus/packages.txt)");
        return false;
    }
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty()) {
        m_error = QStringLiteral("openssl is not installed (apt-get install openssl)");
        return false;
    }
    if (!m_dir.isValid() || !makeCertificates())
        return false;
    for (int &port : m_ports)
        port = freePort();
    if (!writeConfig()) {
        m_error = QStringLiteral("cannot write nginx.conf");
        return false;
    }
    m_nginx = std::make_unique<QProcess>();
    m_nginx->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_nginx->start(QLatin1String(kNginx), {QStringLiteral("-p"), m_dir.path(), QStringLiteral("-c"),
                                           m_dir.filePath(QStringLiteral("nginx.conf"))});
    for (int i = 0; i < 200; ++i) {
        if (m_nginx->state() == QProcess::NotRunning)
            break;
        bool all = true;
        for (int port : m_ports)
            all = all && accepts(port);
        if (all)
            return true;
        QThread::msleep(25);
    }
    QFile log(m_dir.filePath(QStringLiteral("error.log")));
    log.open(QIODevice::ReadOnly);
    m_error = QStringLiteral("nginx did not come up: %1").arg(QString::fromLocal8Bit(log.readAll()));
    return false;
}

} // namespace PreflightTest
