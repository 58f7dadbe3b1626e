"""Bank Markdown to safe HTML (app/domain/markup.py), with one parser per thread reused from text to text."""
import sys
import threading

from app.domain.markup import render_inline, render_markdown, render_stem


def test_what_a_bank_writes_cannot_run_in_a_page():
    html = render_markdown("**粗体** <script>alert(1)</script> [链接](javascript:alert(1)) <img src=x onerror=f()>")
    assert "<strong>粗体</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html


def test_a_text_sees_nothing_of_the_text_before_it():
    """The parser is reused: a reference or footnote defined by one question must not link another's words."""
    render_markdown("[参考]: https://example.com/a")
    assert "<a" not in render_markdown("见[原文][参考]。")
    assert render_markdown("见[原文][参考]。") == "<p>见[原文][参考]。</p>"


def test_tables_lists_and_blanks():
    assert "<table>" in render_markdown("| 届次 | 年份 |\n|---|---|\n| 二十大 | 2022 |")
    assert render_markdown("1. 一\n2. 二\n\n* 三") == "<ol>\n<li>一</li>\n<li>二</li>\n</ol>\n<ul>\n<li>三</li>\n</ul>"
    stem = render_stem("党的___是党的___。")
    assert stem.count('class="blank"') == 2 and "（2）" in stem
    assert render_inline("**民主集中制**") == "<strong>民主集中制</strong>"


def test_threads_rendering_at_once_get_what_one_thread_gets():
    texts = [f"第{n}题：**{'重点' * n}** 与 *强调*\n\n| a | b |\n|---|---|\n| {n} | x |" for n in range(40)]
    expected = [render_markdown(text) for text in texts]
    results, start = {}, threading.Barrier(8)

    def render_all(number: int) -> None:
        start.wait()
        results[number] = [render_markdown(text) for text in texts]

    threads = [threading.Thread(target=render_all, args=(number,)) for number in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # threads interleave within a conversion, as under load
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert all(rendered == expected for rendered in results.values()) and len(results) == 8
