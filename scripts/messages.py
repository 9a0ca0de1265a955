"""Message catalogs, one per module: translations/<module>/<lang>/LC_MESSAGES/messages.po.

One catalog per module lets each module own its French text; Flask-Babel merges them all at run time.

    python scripts/messages.py extract [module…]  # refresh the catalogs (all, or the named ones)
    python scripts/messages.py compile   # build the .mo files the app reads
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("fr", "en")
DOMAIN_MODULES = ("accounts", "territories", "consultations", "proposals", "notifications", "assemblies",
                  "moderation", "synthesis", "exports")
WEB_SOURCES = (
    "deliberation/core", "deliberation/web", "deliberation/api/__init__.py", "deliberation/api/common.py",
    "deliberation/api/validation.py", "deliberation/seed", "templates/base.html", "templates/_macros",
    "templates/web",
)


def catalogs() -> tuple[str, ...]:
    return ("web", *DOMAIN_MODULES)


def sources(catalog: str) -> list[str]:
    if catalog == "web":
        candidates = WEB_SOURCES
    else:
        candidates = (f"deliberation/{catalog}", f"deliberation/api/{catalog}.py", f"templates/{catalog}",
                      f"templates/emails/{catalog}")
        # an API resource may span several files: api/<module>_<resource>.py
        resources = sorted((ROOT / "deliberation/api").glob(f"{catalog}_*.py"))
        candidates += tuple(str(path.relative_to(ROOT)) for path in resources)
    return [path for path in candidates if (ROOT / path).exists()]


def extract_template(catalog: str, output: Path) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "N_",
         "--no-location", "--sort-output", "--omit-header", "-o", str(output), *sources(catalog)],
        cwd=ROOT, check=True, capture_output=True,
    )


def extract(*only: str) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    for catalog in only or catalogs():
        directory = TRANSLATIONS / catalog
        directory.mkdir(parents=True, exist_ok=True)
        template = directory / "messages.pot"
        extract_template(catalog, template)
        for language in LANGUAGES:
            po = directory / language / "LC_MESSAGES" / "messages.po"
            command = "update" if po.exists() else "init"
            extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []
            subprocess.run([str(pybabel), command, "-i", str(template), "-d", str(directory),
                            "-l", language, *extra], cwd=ROOT, check=True, capture_output=True)


def compile_catalogs(*_ignored: str) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    for catalog in catalogs():
        directory = TRANSLATIONS / catalog
        if directory.exists():
            subprocess.run([str(pybabel), "compile", "-d", str(directory)], cwd=ROOT, check=True, capture_output=True)


def translation_directories() -> str:
    return ";".join(str(TRANSLATIONS / catalog) for catalog in catalogs())


if __name__ == "__main__":
    {"extract": extract, "compile": compile_catalogs}[sys.argv[1]](*sys.argv[2:])
