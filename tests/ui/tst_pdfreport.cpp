// The PDF readiness report and the Export Report dialog (offscreen): every page renders with poppler's
// pdftoppm, the page count and size are plausible for A4 and Letter, chart labels are text, `preflight report --pdf`
// works through the CLI seam, a 1-hour run stays under 5 MB, and the dialog previews, lists baselines and saves.
#include "reportfixture.h"
#include "testhttpserver.h"

#include "pdfreport.h"
#include "report/reportexportdialog.h"

#include "report/reportdocument.h"
#include "report/reportmodel.h"
#include "report/reportwriter.h"
#include "store/runstore.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;

namespace {

ReportDocument documentOf(const RunData &run, const RunData *baseline = nullptr)
{
    ReportOptions options;
    options.baseline = baseline;
    options.generated_at = QDateTime(QDate(2025, 11, 25), QTime(9, 0), Qt::UTC);
    return ReportDocument::compose(ReportModel::build(run, options));
}

// pdfinfo's "Pages:" and "Page size:" lines.
struct PdfInfo
{
    int pages = -1;
    double width_pt = 0, height_pt = 0;
    QString raw;
};

PdfInfo pdfInfo(const QString &path)
{
    PdfInfo info;
    QProcess p;
    p.start(QStringLiteral("pdfinfo"), {path});
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        return info;
    info.raw = QString::fromUtf8(p.readAllStandardOutput());
    static const QRegularExpression pages(QStringLiteral("Pages:\\s+(\\d+)"));
    static const QRegularExpression size(QStringLiteral("Page size:\\s+([\\d.]+) x ([\\d.]+) pts"));
    if (const auto m = pages.match(info.raw); m.hasMatch())
        info.pages = m.captured(1).toInt();
    if (const auto m = size.match(info.raw); m.hasMatch()) {
        info.width_pt = m.captured(1).toDouble();
        info.height_pt = m.captured(2).toDouble();
    }
    return info;
}

// The text pdftotext extracts from `path` (with -layout when `layout`); empty when it fails.
QString pdfText(const QString &path, bool layout)
{
    QProcess p;
    QStringList args{path, QStringLiteral("-")};
    if (layout)
        args.prepend(QStringLiteral("-layout"));
    p.start(QStringLiteral("pdftotext"), args);
    if (!p.waitForFinished(60000))
        return {};
    return QString::fromUtf8(p.readAllStandardOutput());
}

// Runs pdftoppm over every page; returns the PNGs written (empty on failure, with *error set).
QStringList rasterise(const QString &pdf, const QString &outDir, QString *error)
{
    QProcess p;
    p.start(QStringLiteral("pdftoppm"), {QStringLiteral("-r"), QStringLiteral("40"), QStringLiteral("-png"), pdf,
                                         QDir(outDir).filePath(QStringLiteral("page"))});
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error =
            QStringLiteral("pdftoppm exit %1: %2").arg(p.exitCode()).arg(QString::fromUtf8(p.readAllStandardError()));
        return {};
    }
    const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
    if (!err.isEmpty()) {
        *error = QStringLiteral("pdftoppm complained: ") + err;
        return {};
    }
    QStringList files;
    for (const QString &f : QDir(outDir).entryList({QStringLiteral("page*.png")}, QDir::Files, QDir::Name))
        files << QDir(outDir).filePath(f);
    return files;
}

} // namespace

class TestPdfReport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void everyPageRenders_data();
    void everyPageRenders();
    void sameContentAsHtml();
    void chartTextIsText();
    void cliWritesPdf();
    void runWritesPdfWithoutADisplay();
    void oneHourRunIsSmall();
    void exportDialog();
};

void TestPdfReport::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("pdftoppm")).isEmpty() ||
        QStandardPaths::findExecutable(QStringLiteral("pdfinfo")).isEmpty())
        QFAIL("poppler-utils (pdftoppm, pdfinfo) are needed: apt-get install poppler-utils");
}

void TestPdfReport::everyPageRenders_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<double>("width_pt");
    QTest::addColumn<double>("height_pt");
    QTest::addColumn<bool>("withBaseline");
    QTest::newRow("a4") << int(ReportPageSize::A4) << 595.0 << 842.0 << false;
    QTest::newRow("letter, with baseline") << int(ReportPageSize::Letter) << 612.0 << 792.0 << true;
}

void TestPdfReport::everyPageRenders()
{
    QFETCH(int, pageSize);
    QFETCH(double, width_pt);
    QFETCH(double, height_pt);
    QFETCH(bool, withBaseline);
    const RunData before = ReportFixture::singleConnectionRun();
    const RunData after = ReportFixture::healthyRun();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.pdf"));
    QString error;
    int pages = 0;
    const ReportDocument doc = withBaseline ? documentOf(after, &before) : documentOf(before);
    QVERIFY2(PdfReport::write(doc, path, ReportPageSize(pageSize), &error, &pages), qPrintable(error));
    const PdfInfo info = pdfInfo(path);
    QCOMPARE(info.pages, pages);
    QVERIFY2(pages >= 4 && pages <= 30, qPrintable(QStringLiteral("%1 pages").arg(pages)));
    QVERIFY2(std::abs(info.width_pt - width_pt) < 2 && std::abs(info.height_pt - height_pt) < 2, qPrintable(info.raw));
    const QString pngDir = dir.filePath(QStringLiteral("png"));
    QDir().mkpath(pngDir);
    const QStringList pngs = rasterise(path, pngDir, &error);
    QVERIFY2(!pngs.isEmpty(), qPrintable(error));
    QCOMPARE(pngs.size(), pages);
    for (const QString &png : pngs) {
        QImage image(png);
        QVERIFY2(!image.isNull(), qPrintable(png));
        // Something is drawn on every page: not a blank sheet.
        int ink = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                if (qGray(image.pixel(x, y)) < 200)
                    ++ink;
        QVERIFY2(ink > 50, qPrintable(png));
    }
    qInfo("%s: %d pages, %lld bytes", QTest::currentDataTag(), pages, QFileInfo(path).size());
    // PREFLIGHT_KEEP_REPORTS=DIR keeps the PDF and its pages for a look (docs/report.md).
    const QString keep = qEnvironmentVariable("PREFLIGHT_KEEP_REPORTS");
    if (!keep.isEmpty()) {
        const QString tag = QString::fromLatin1(QTest::currentDataTag()).section(QLatin1Char(','), 0, 0);
        QDir().mkpath(keep);
        QFile::remove(QDir(keep).filePath(tag + QStringLiteral(".pdf")));
        QFile::copy(path, QDir(keep).filePath(tag + QStringLiteral(".pdf")));
        for (const QString &png : pngs) {
            const QString target = QDir(keep).filePath(tag + QLatin1Char('-') + QFileInfo(png).fileName());
            QFile::remove(target);
            QFile::copy(png, target);
        }
    }
}

void TestPdfReport::sameContentAsHtml()
{
    // Text extraction of the PDF finds what the HTML says, in the same order.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.pdf"));
    QString error;
    QVERIFY2(PdfReport::write(documentOf(ReportFixture::singleConnectionRun()), path, ReportPageSize::A4, &error),
             qPrintable(error));
    const QString text = pdfText(path, true);
    QVERIFY(!text.isEmpty());
    qsizetype last = -1;
    for (const char *marker : {"NOT READY", "Executive summary", "Launch gates", "Root causes", "What the errors said",
                               "Damage assessment", "Charts", "Queries", "Method"}) {
        const qsizetype at = text.indexOf(QLatin1String(marker), last + 1);
        QVERIFY2(at > last, marker);
        last = at;
    }
    QVERIFY(text.contains(QStringLiteral("Page 1 of")));
    QVERIFY(text.contains(QStringLiteral("SEQ SCAN")));
    QVERIFY(!text.contains(QLatin1String(ReportFixture::kPasswordCanary)));
    QVERIFY(!text.contains(QLatin1String(ReportFixture::kTokenCanary)));
}

// Chart labels are PDF text, not glyph outlines: text extraction finds the axis titles (the y title turned upright),
// tick and gate labels and the legends of the figures; none of these strings is anywhere else in the report.
void TestPdfReport::chartTextIsText()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.pdf"));
    QString error;
    QVERIFY2(PdfReport::write(documentOf(ReportFixture::singleConnectionRun()), path, ReportPageSize::A4, &error),
             qPrintable(error));
    const QString text = pdfText(path, false);
    QVERIFY(!text.isEmpty());
    for (const char *label : {"latency (log scale)", "run time (min:s)", "10.0 ms", "gate P99 ≤ 200 ms",
                              "gate sustains ≥ 50 req/s", "DB backends (app)", "pool in use", "connections / requests",
                              "measured (successful req/s)", "successful requests/s", "virtual users"})
        QVERIFY2(text.contains(QString::fromUtf8(label)), label);
}

void TestPdfReport::cliWritesPdf()
{
    QTemporaryDir dir;
    const QString storePath = dir.filePath(QStringLiteral("runs.sqlite"));
    qint64 id = -1;
    {
        RunStore store;
        QVERIFY(!store.open(storePath));
        id = store.saveRun(ReportFixture::singleConnectionRun()).value_or(-1);
        QVERIFY(id > 0);
    }
    const QString pdf = dir.filePath(QStringLiteral("r.pdf"));
    const QString html = dir.filePath(QStringLiteral("r.html"));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the CLI picks offscreen itself
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(PREFLIGHT_BIN), {QStringLiteral("report"), QString::number(id), QStringLiteral("--store"),
                                            storePath, QStringLiteral("--pdf"), pdf, QStringLiteral("--html"), html,
                                            QStringLiteral("--page-size"), QStringLiteral("letter")});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
    const PdfInfo info = pdfInfo(pdf);
    QVERIFY(info.pages >= 4);
    QVERIFY(std::abs(info.width_pt - 612) < 2);
    QVERIFY(QFileInfo(html).size() > 10000);
    // A bad page size is a usage error, nothing written.
    p.start(QStringLiteral(PREFLIGHT_BIN), {QStringLiteral("report"), QString::number(id), QStringLiteral("--store"),
                                            storePath, QStringLiteral("--pdf"), dir.filePath(QStringLiteral("x.pdf")),
                                            QStringLiteral("--page-size"), QStringLiteral("a3")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.pdf"))));
}

// `run --report F.pdf` on a machine without a display (CI): the CLI paints the PDF on the offscreen platform.
void TestPdfReport::runWritesPdfWithoutADisplay()
{
    PreflightTest::TestHttpServer server;
    QVERIFY(server.start());
    QTemporaryDir dir;
    const QString pdf = dir.filePath(QStringLiteral("run.pdf"));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(PREFLIGHT_BIN),
            {QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
             QStringLiteral("--users"), QStringLiteral("1"), QStringLiteral("--duration"), QStringLiteral("1"),
             QStringLiteral("--report"), pdf, QStringLiteral("--store"), dir.filePath(QStringLiteral("runs.sqlite")),
             QStringLiteral("--quiet")});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
             qPrintable(QString::fromUtf8(p.readAllStandardError())));
    QVERIFY(pdfInfo(pdf).pages >= 1);
    QVERIFY(server.requestsSeen() > 0);
}

void TestPdfReport::oneHourRunIsSmall()
{
    const RunData run = ReportFixture::longRun(3600, 4, 40);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("soak.pdf"));
    QElapsedTimer timer;
    timer.start();
    const ReportDocument doc = documentOf(run);
    const qint64 model_ms = timer.elapsed();
    QString error;
    int pages = 0;
    QVERIFY2(PdfReport::write(doc, path, ReportPageSize::A4, &error, &pages), qPrintable(error));
    const qint64 total_ms = timer.elapsed();
    const qint64 bytes = QFileInfo(path).size();
    qInfo("1-hour run (14,400 intervals x 4 endpoints): PDF %lld bytes, %d pages, in %lld ms (model %lld ms)", bytes,
          pages, total_ms, model_ms);
    QVERIFY(bytes < 5 * 1024 * 1024);
    QCOMPARE(pdfInfo(path).pages, pages);
}

void TestPdfReport::exportDialog()
{
    QTemporaryDir dir;
    const QString storePath = dir.filePath(QStringLiteral("runs.sqlite"));
    qint64 before = -1, after = -1;
    {
        RunStore store;
        QVERIFY(!store.open(storePath));
        before = store.saveRun(ReportFixture::singleConnectionRun()).value_or(-1);
        after = store.saveRun(ReportFixture::healthyRun()).value_or(-1);
    }
    RunData run = ReportFixture::healthyRun();
    run.info.id = after;
    ReportExportDialog dialog(run, storePath);
    QSignalSpy baselines(&dialog, &ReportExportDialog::baselinesLoaded);
    QSignalSpy preview(&dialog, &ReportExportDialog::previewUpdated);
    dialog.show();
    QTRY_COMPARE_WITH_TIMEOUT(baselines.count(), 1, 20000);
    QCOMPARE(dialog.baselineIds(), std::vector<qint64>{before}); // the run itself is not offered
    QTRY_VERIFY_WITH_TIMEOUT(preview.count() >= 1, 20000);
    QVERIFY(dialog.previewText().contains(QStringLiteral("READY\n5 of 5 gates passed")));
    QVERIFY(!dialog.previewText().contains(QStringLiteral("Before and after")));

    dialog.setBaseline(before);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.previewText().contains(QStringLiteral("Before and after")), 20000);

    QSignalSpy exported(&dialog, &ReportExportDialog::reportExported);
    QString error;
    const QString pdf = dir.filePath(QStringLiteral("export.pdf"));
    QVERIFY2(dialog.exportTo(pdf, &error), qPrintable(error));
    QVERIFY(pdfInfo(pdf).pages >= 4);
    const QString html = dir.filePath(QStringLiteral("export.html"));
    QVERIFY2(dialog.exportTo(html, &error), qPrintable(error));
    QFile f(html);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.contains("<section id=\"comparison\">"));
    QVERIFY(bytes.contains("<svg viewBox=")); // the saved file has inline SVG, not the preview's images
    QCOMPARE(exported.count(), 2);
    QVERIFY(!dialog.exportTo(dir.filePath(QStringLiteral("export.doc")), &error));
}

QTEST_MAIN(TestPdfReport)
#include "tst_pdfreport.moc"
