#pragma once

#include "plan/plan.h"

#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QToolButton;
QT_END_NAMESPACE

namespace Preflight {

// Edits the target side of a plan: name, base URL, endpoints (method, path, weight; add, remove, reorder),
// common headers, request timeout, health path and database connection. Fields the panel does not show
// (login, path variables, bodies, pool source) are kept from the plan given to setPlan().
class TargetPanel : public QWidget
{
    Q_OBJECT
public:
    enum EndpointColumns { MethodColumn, PathColumn, WeightColumn, NUM_ENDPOINT_COLUMNS };

    explicit TargetPanel(QWidget *parent = nullptr);

    void setPlan(const Plan &plan);
    // Writes the panel's fields into *plan. Returns an empty string, or what to correct.
    QString applyTo(Plan *plan) const;

    QLineEdit *baseUrlEdit() const { return m_baseUrl; }
    QTableWidget *endpointsTable() const { return m_endpoints; }
    void setEndpoints(const QList<QPair<QString, QString>> &methodAndPath);
    void setEnabledForRun(bool editable);

public slots:
    void addEndpoint();
    void removeEndpoint();
    void moveEndpointUp();
    void moveEndpointDown();

signals:
    void changed();

private:
    void appendEndpointRow(const QString &method, const QString &path, double weight, int specIndex);
    void moveEndpoint(int delta);
    void addHeader();
    void removeHeader();

    QLineEdit *m_name;
    QLineEdit *m_baseUrl;
    QTableWidget *m_endpoints;
    QTableWidget *m_headers;
    QSpinBox *m_timeout;
    QLineEdit *m_health;
    QLineEdit *m_conninfo;
    QList<QToolButton *> m_buttons;
    std::vector<EndpointSpec> m_specs;  // endpoints as loaded, for the fields the table does not show
    bool m_loading = false;
};

} // namespace Preflight
