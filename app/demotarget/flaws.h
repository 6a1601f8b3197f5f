#pragma once

#include <QString>
#include <QStringList>

namespace Demo {

// The incidents the demo can reproduce (`--flaw a,b,c`); see docs/demo.md. `none` is all false.
struct Flaws
{
    bool single_connection = false;
    bool small_pool = false;
    bool conn_per_request = false;
    bool n_plus_one = false;
    bool missing_index = false;
    bool write_contention = false;
    bool slow_endpoint = false;
    bool no_health = false;

    // Parses a comma-separated list; false and *error on an unknown name.
    static bool parse(const QString &list, Flaws *flaws, QString *error);
    static QStringList names();
    QStringList enabled() const;
};

} // namespace Demo
