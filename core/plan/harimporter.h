#pragma once

#include "importsupport.h"

#include <QHash>
#include <QUrl>

#include <map>
#include <utility>
#include <vector>

// Endpoints from a HAR 1.2 capture (internal to EndpointImport: call fromHar()/fromFile()).
namespace Preflight::EndpointImport::Detail {

class HarImporter
{
public:
    HarImporter(const QJsonObject &root, const Options &options)
        : m_root(root), m_options(options), m_warn(&m_result.warnings)
    {
    }
    Result run();

private:
    struct Group
    {
        EndpointSpec spec;                     // method, templated path (query names only), headers, body
        QStringList pathVars;                  // id, id2, … in path order
        std::map<QString, QStringList> values; // path var / query name -> values seen (encoded, unique)
        QStringList queryNames;                // in first-seen order
        int count = 0;
    };
    struct Dropped
    {
        QString display;
        QString sample; // the dropped value, kept only in memory to name the auth scheme ("Bearer") in the hint
        int count = 0;
    };

    void addEntry(const QJsonObject &request, const QUrl &url);
    void keepHeaders(const QJsonObject &request, EndpointSpec &spec);
    void keepBody(const QJsonObject &request, const QString &label, EndpointSpec &spec);

    QJsonObject m_root;
    Options m_options;
    Result m_result;
    Warnings m_warn;
    std::vector<Group> m_groups;
    QHash<QString, size_t> m_groupIndex;
    std::map<QString, Dropped> m_droppedHeaders;          // lower-case name -> what was dropped
    std::map<QString, int> m_droppedQuery;                // query parameter name -> requests
    std::vector<std::pair<QString, int>> m_skippedWrites; // "POST /orders/{id}" -> requests, first-seen order
    QHash<QString, size_t> m_skippedWriteIndex;           // label -> its index in m_skippedWrites
};

} // namespace Preflight::EndpointImport::Detail
