"""The report as people see it, in real headless Chromium (DevTools protocol, ``report_browser``):
no horizontal overflow at 1280 and 390 px, nothing requested beyond the file itself, the summary
first, every figure drawn, Japanese glyphs rendered in the ``--lang ja`` report, hostile values
from the data shown as text, and a printable PDF through ``mirrorlab compare --pdf``."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import analysis_fixtures as fx  # noqa: E402
from report_browser import Browser  # noqa: E402
from test_report import association_trials, continuous_naming_trials, picture_word_trials  # noqa: E402

from analysis import compare, write_report  # noqa: E402
from analysis.projection import project_items  # noqa: E402
from db.store import Store  # noqa: E402

EVIL_SCRIPT = "<script>window.__pwned = 1</script>"
EVIL_IMG = '<img src="x" onerror="window.__pwned = 2">'
RLO = "\u202eevil-rlo"
HOSTILE = (EVIL_SCRIPT, EVIL_IMG, RLO)


def _association_with_projection():
    result = compare(association_trials(), "association", engine="mixedlm", fit_accuracy=False)
    rng = np.random.default_rng(11)
    words = [EVIL_IMG, "palm", "pine", "pyramid", "camel", "snow", "sand", "ice"]
    vectors = {w: rng.normal(size=16) for w in words}
    items = [{"item": "triad0", "target": "pyramid", "choices": ["palm", "pine"], "answer": "palm"},
             {"item": "triad1", "target": EVIL_IMG, "choices": ["camel", "snow"], "answer": "camel"},
             {"item": "triad2", "target": "ice", "choices": ["snow", "sand"], "answer": "snow"}]
    import pandas as pd

    result.embedding_projection = project_items(pd.DataFrame(items), vectors,
                                                {"triad0": "palm", "triad1": "snow"}, model="toy-vectors")
    return result


@pytest.fixture(scope="module")
def reports(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("reports")
    url = f"sqlite:///{folder / 'stroop.db'}"
    store = Store(url)
    fx.add_human_stroop(store, ["P01", "P02", *HOSTILE, "P06"])
    fx.add_model_stroop(store, "toy", {"congruent": 640.0, "neutral": 660.0, "incongruent": 760.0})
    results = [compare(store, "stroop", engine="mixedlm"),
               compare(picture_word_trials(), "picture-word", engine="mixedlm", fit_accuracy=False),
               compare(continuous_naming_trials(), "continuous-naming", engine="mixedlm", fit_accuracy=False),
               _association_with_projection()]
    paths = {lang: write_report(results, folder / f"report-{lang}.html", tables_dir=folder / "tables", lang=lang)
             for lang in ("en", "ja")}
    return {"paths": paths, "results": results, "folder": folder, "url": url}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with Browser(tmp_path_factory.mktemp("chromium-profile")) as open_browser:
        yield open_browser


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width", [1280, 390])
def test_report_fits_the_page_requests_nothing_and_draws_every_figure(reports, browser, lang, width):
    path = reports["paths"][lang]
    browser.open(path.as_uri(), width)
    scroll_width, inner_width = browser.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert inner_width == width
    assert scroll_width <= inner_width, f"page overflows horizontally at {width} px: {scroll_width}"
    assert browser.requests == [path.as_uri()], f"requests beyond the file itself: {browser.requests}"

    first = browser.evaluate("Array.from(document.body.children).filter(e => e.tagName !== 'H1')[0].id")
    assert first == "summary", "the summary section must come first"
    n_summaries = browser.evaluate("document.querySelectorAll('#summary .summary-task').length")
    assert n_summaries == len(reports["results"])

    figures = browser.evaluate("""Array.from(document.querySelectorAll('div.plot')).map(div => ({
        id: div.id, rendered: div.getAttribute('data-rendered'),
        traces: div.querySelectorAll('.scatterlayer .trace').length,
        points: div.querySelectorAll('.scatterlayer .point, .scatterlayer path.js-line').length,
        width: div.getBoundingClientRect().width}))""")
    specs = browser.evaluate("document.querySelectorAll('script[type=\"application/json\"]').length")
    # Stroop: 1 means + 1 item scatter; picture-word: SOA panels + items; continuous: 2 curves;
    # association: choice agreement + embedding projection
    assert len(figures) == specs >= 9
    for figure in figures:
        assert figure["rendered"] == "true" and figure["traces"] >= 1 and figure["points"] >= 1, figure
        assert 0 < figure["width"] <= width, figure
    assert browser.evaluate("typeof window.__pwned") == "undefined"


def test_hostile_values_from_the_data_appear_as_text(reports, browser):
    browser.open(reports["paths"]["en"].as_uri(), 1280)
    browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    text = browser.evaluate("document.body.innerText")
    for value in HOSTILE:
        assert value in text, value
    assert browser.evaluate("document.images.length") == 0          # no <img> made from data
    assert browser.evaluate("typeof window.__pwned") == "undefined"  # no script or handler ran
    # the hostile word drawn in the embedding figure is text, too
    assert browser.evaluate(f"Array.from(document.querySelectorAll('svg text')).some(t => "
                            f"t.textContent.includes({EVIL_IMG!r}))")
    # every text node carrying the right-to-left override sits inside a <bdi> (direction isolated)
    outside = browser.evaluate("""(() => { const walker = document.createTreeWalker(document.body,
        NodeFilter.SHOW_TEXT); const bad = []; let node;
        while ((node = walker.nextNode())) { if (node.data.includes('\\u202e') && !node.parentElement.closest('bdi, svg, script'))
            bad.push(node.parentElement.tagName); } return bad; })()""")
    assert outside == []


def _dark_pixels(png: bytes) -> np.ndarray:
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3].astype(float)
    if pixels.max() > 1:  # 8-bit image
        pixels /= 255.0
    return pixels.mean(axis=2) < 0.5


def test_japanese_text_renders_with_a_japanese_font(reports, browser):
    browser.open(reports["paths"]["ja"].as_uri(), 1280)
    assert browser.evaluate("document.documentElement.lang") == "ja"
    headings = browser.evaluate("""['#summary > h2', 'nav > h2'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect();
        return {text: document.querySelector(s).textContent, x: r.x, y: r.y + scrollY, width: r.width, height: r.height}; })""")
    assert [h["text"] for h in headings] == ["要約", "目次"]
    assert browser.evaluate("document.fonts.check('16px \"Noto Sans CJK JP\"', '要約目次')")
    shots = []
    for heading in headings:
        clip = {"x": heading["x"], "y": heading["y"], "width": 120, "height": heading["height"]}
        shots.append(_dark_pixels(browser.screenshot(clip)))
    for dark in shots:
        assert dark.mean() > 0.03, "no glyph pixels in the Japanese heading"
    # two different two-character headings: real glyphs differ, tofu boxes would not
    assert (shots[0] != shots[1]).mean() > 0.02
    labels = browser.evaluate("Array.from(document.querySelectorAll('.plot .ytitle')).map(t => t.textContent)")
    assert "平均反応時間（ms）" in labels    # figure labels are Japanese too


def _mirrorlab(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mirrorlab", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd)


def test_compare_writes_a_japanese_report_its_tables_and_a_pdf(reports, tmp_path):
    report, pdf = tmp_path / "stroop-ja.html", tmp_path / "out" / "stroop-ja.pdf"
    done = _mirrorlab("compare", "--task", "stroop", "--db", reports["url"], "--engine", "mixedlm",
                      "--report", str(report), "--lang", "ja", "--pdf", str(pdf), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    html = report.read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "要約" in html and "Noto Sans CJK JP" in html
    tables = tmp_path / "stroop-ja-tables"
    assert (tables / "stroop_fit_table.csv").is_file() and (tables / "stroop_within_subject_ci.csv").is_file()
    assert 'href="stroop-ja-tables/stroop_fit_table.csv"' in html
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2


def test_pdf_and_language_errors_are_one_line(reports, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    done = _mirrorlab("compare", "--task", "stroop", "--db", reports["url"], "--engine", "mixedlm",
                      "--no-accuracy", "--report", str(tmp_path / "r.html"), "--pdf", str(folder), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("mirrorlab: error: --pdf:")
    assert "Traceback" not in done.stderr and list(folder.iterdir()) == []
    done = _mirrorlab("compare", "--task", "stroop", "--db", reports["url"], "--lang", "xx", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "--lang" in done.stderr


def test_print_media_unfolds_lists_and_lets_tables_run_full_length(reports, browser):
    browser.open(reports["paths"]["en"].as_uri(), 800)
    folded = browser.evaluate("document.querySelectorAll('details:not([open])').length")
    assert folded >= 1                                     # the screen version folds the long lists
    browser.call("Emulation.setEmulatedMedia", media="print")
    try:
        heights = browser.evaluate("""Array.from(document.querySelectorAll('details:not([open])')).map(d =>
            Array.from(d.children).filter(c => c.tagName !== 'SUMMARY')
                 .reduce((h, c) => h + c.getBoundingClientRect().height, 0))""")
        assert len(heights) == folded and min(heights) > 0, heights
        overflow = browser.evaluate("Array.from(document.querySelectorAll('.table-scroll')).map(e => "
                                    "getComputedStyle(e).overflowY + '/' + getComputedStyle(e).maxHeight)")
        assert set(overflow) == {"visible/none"}
    finally:
        browser.call("Emulation.setEmulatedMedia", media="")
