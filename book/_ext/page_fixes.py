"""Three fixes to the pages Jupyter Book 1 writes, found by the browser test (tests/browser.py).

* sphinx-thebe's inline script is added twice, so every page stops with "Identifier
  'THEBE_JS_URL' has already been declared": each script is kept once.
* pydata-sphinx-theme reads the colour mode from ``default_mode``, which Jupyter Book leaves
  empty, and logs an error on every page: it is set to "auto" (follow the reader's system).
* The site's root ``index.html`` is Jupyter Book's bare redirect to the first chapter, with no icon
  link, so browsers ask the server for ``/favicon.ico`` and log a 404: the book's favicon is also
  written there, as an ICO file.
"""

from __future__ import annotations

from pathlib import Path


def _fix_page(app, pagename, templatename, context, doctree) -> None:
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        # The same file or inline body added twice is one script, whatever its priority, and
        # whether the inline one was registered with filename None or "".
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"] = scripts
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def _write_root_favicon(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or not app.config.html_favicon:
        return
    from PIL import Image  # Pillow comes with matplotlib, which every chapter uses

    with Image.open(Path(app.confdir) / app.config.html_favicon) as icon:
        icon.save(Path(app.outdir) / "favicon.ico", sizes=[(16, 16), (32, 32)])


def setup(app):
    # After the themes' own handlers (priority 500), so the values they set are the ones fixed.
    app.connect("html-page-context", _fix_page, priority=900)
    app.connect("build-finished", _write_root_favicon)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
