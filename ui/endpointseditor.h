#pragma once

#include "endpointdraft.h"

#include <QWidget>

#include <functional>
#include <vector>

QT_BEGIN_NAMESPACE
class QLabel;
class QPushButton;
class QTableWidget;
QT_END_NAMESPACE

namespace Preflight {

class EndpointDetailEditor;
class JobTracker;

// The plan's endpoints: a list (method, path, weight; add, remove, reorder, import from OpenAPI/HAR) and, under
// it, the selected endpoint's details (name, timeout, path variables, headers, body: EndpointDetailEditor).
// Validation is inline and names the fix; a plan loaded and saved without edits comes back unchanged.
// Keyboard: Insert (or Enter on Add) adds an endpoint, Delete removes the selected one, Tab walks the list, the
// buttons and the detail fields in order.
class EndpointsEditor : public QWidget
{
    Q_OBJECT
public:
    enum Columns { MethodColumn, PathColumn, WeightColumn, NUM_COLUMNS };
    // Offered the base URL of an imported OpenAPI document; returns whether it was used (the field was empty).
    using BaseUrlSink = std::function<bool(const QString &baseUrl)>;

    explicit EndpointsEditor(QWidget *parent = nullptr);
    ~EndpointsEditor() override;

    void setEndpoints(const std::vector<EndpointSpec> &endpoints);
    // The endpoints as edited. Returns an empty string, or what to correct ("Endpoint 2: {id} in the path has no
    // values: give it a range …").
    QString applyTo(std::vector<EndpointSpec> *endpoints) const;
    void setEnabledForRun(bool editable);
    void setBaseUrlSink(BaseUrlSink sink) { m_baseUrlSink = std::move(sink); }

    QTableWidget *table() const { return m_table; }
    EndpointDetailEditor *detail() const { return m_detail; }
    QPushButton *importButton() const { return m_import; }
    // Import warnings (or error) shown under the list; empty when hidden.
    QString importMessage() const;

public slots:
    void addEndpoint();
    void removeEndpoint();
    void moveEndpointUp();
    void moveEndpointDown();
    // File dialog, then importEndpointsFrom().
    void importEndpoints();
    // Reads OpenAPI 3 JSON / HAR off the GUI thread; asks Replace / Append / Cancel when the list has rows.
    void importEndpointsFrom(const QString &path);

signals:
    void changed();
    // An import was applied or failed (its message is in importMessage()).
    void importFinished();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void appendRow(const EndpointSpec &spec);
    void moveEndpoint(int delta);
    void showCurrent();
    void onItemChanged(int row, int column);
    void onDetailEdited();
    QString rowText(int row, int column) const;
    QString labelOf(int row) const;
    // Checks the current row and shows its problem under the details.
    void checkCurrent();
    void showImportMessage(const QString &text, bool error);
    void applyImport(const std::vector<EndpointSpec> &endpoints, const QString &baseUrl, bool replace,
                     const QStringList &warnings);

    QTableWidget *m_table;
    EndpointDetailEditor *m_detail;
    QPushButton *m_add;
    QPushButton *m_remove;
    QPushButton *m_up;
    QPushButton *m_down;
    QPushButton *m_import;
    QLabel *m_importMessage;
    JobTracker *m_jobs;
    std::vector<EndpointDraft> m_drafts; // one per row, in row order
    std::vector<QString> m_labels;       // each row's "METHOD /path" as last seen, for the name to follow it
    BaseUrlSink m_baseUrlSink;
    int m_shown = -1; // the row the details show
    bool m_loading = false;
    bool m_editable = true;
};

} // namespace Preflight
