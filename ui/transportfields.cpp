#include "transportfields.h"

#include "uiwiring.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace Preflight {

TransportFields::TransportFields(QWidget *parent)
    : QWidget(parent), m_caFile(new QLineEdit), m_httpVersion(new QComboBox)
{
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_caFile->setPlaceholderText(tr("system CAs"));
    UiWiring::name(m_caFile, tr("CA file"),
                   tr("PEM file with the CA certificates that signed the target's certificate (target.tls.ca_file)"));
    auto *browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(QStringLiteral("caFileBrowse"));
    UiWiring::name(browse, tr("Choose a CA file"), tr("Pick the PEM file of CA certificates to trust"));
    m_httpVersion->setObjectName(QStringLiteral("httpVersion"));
    for (HttpVersion v :
         {HttpVersion::Default, HttpVersion::Http1_1, HttpVersion::Http2, HttpVersion::Http2PriorKnowledge})
        m_httpVersion->addItem(
            v == HttpVersion::Default ? tr("HTTP: libcurl's default") : tr("HTTP %1").arg(httpVersionName(v)), int(v));
    UiWiring::name(m_httpVersion, tr("HTTP version"),
                   tr("1.1, 2 (ALPN over https), or 2 with prior knowledge (h2c); the version spoken is recorded"));

    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_caFile, 1);
    row->addWidget(browse);
    row->addWidget(m_httpVersion);

    connect(m_caFile, &QLineEdit::textEdited, this, &TransportFields::changed);
    connect(m_httpVersion, &QComboBox::activated, this, &TransportFields::changed);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("CA certificates"), m_caFile->text(),
                                                          tr("PEM certificates (*.pem *.crt);;All files (*)"));
        if (file.isEmpty())
            return;
        m_caFile->setText(file);
        emit changed();
    });
}

void TransportFields::setTarget(const TargetSpec &target)
{
    m_caFile->setText(target.ca_file);
    m_httpVersion->setCurrentIndex(std::max(0, m_httpVersion->findData(int(target.http_version))));
}

void TransportFields::applyTo(TargetSpec *target) const
{
    target->ca_file = m_caFile->text().trimmed();
    target->http_version = HttpVersion(m_httpVersion->currentData().toInt());
}

} // namespace Preflight
