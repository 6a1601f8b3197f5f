#pragma once

#include "endpointdraft.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QStackedWidget;
QT_END_NAMESPACE

namespace Preflight {

class PairTable;

// The selected endpoint's details under the endpoints list: name, timeout, path variables (a range "1-500" or a
// list), per-endpoint headers and the body (none, JSON, form fields or text). Works on an EndpointDraft: what
// the user changes is marked edited in it, so parts left alone keep the plan's own value.
class EndpointDetailEditor : public QWidget
{
    Q_OBJECT
public:
    explicit EndpointDetailEditor(QWidget *parent = nullptr);

    // Shows `draft` (its number in the list for the title); an empty title and disabled fields for none.
    void setDraft(const EndpointDraft &draft, const QString &title);
    void clear();
    EndpointDraft draft() const { return m_draft; }
    // Adds a range row, values empty, for each {name} the path uses that has no row yet (the user then types
    // the range); true when rows were added.
    bool addMissingVariables(const QStringList &names);
    // The name follows method and path until the user types one: label is the endpoint's new "METHOD /path".
    void followLabel(const QString &oldLabel, const QString &newLabel);
    // The inline problem under the fields ("{id} in the path has no values: …"); empty hides it.
    void showProblem(const QString &problem);
    QString problem() const;
    void setEditable(bool editable);

    QLineEdit *nameEdit() const { return m_name; }
    QSpinBox *timeoutSpin() const { return m_timeout; }
    PairTable *variables() const { return m_vars; }
    PairTable *headers() const { return m_headers; }
    QComboBox *bodyKindCombo() const { return m_bodyKind; }
    QPlainTextEdit *bodyEdit() const { return m_body; }
    PairTable *formFields() const { return m_form; }
    QWidget *firstField() const;
    QWidget *lastField() const;

signals:
    void edited();

private:
    void readVariables();
    void readHeaders();
    void readBody();
    void showBodyKind();

    QLabel *m_title;
    QLineEdit *m_name;
    QSpinBox *m_timeout;
    PairTable *m_vars;
    PairTable *m_headers;
    QComboBox *m_bodyKind;
    QStackedWidget *m_bodyStack;
    QPlainTextEdit *m_body;
    PairTable *m_form;
    QLabel *m_problem;
    EndpointDraft m_draft;
    bool m_loading = false;
    bool m_editable = true;
    bool m_hasDraft = false;
};

} // namespace Preflight
