"""Imports flow one way: verification may use directory, demo may use both; directory and bulksql use neither."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _names_used(package: str) -> set[str]:
    """Every top-level package imported or looked up by app label (apps.get_model) in `package`'s code."""
    used = set()
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                used |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                used.add(node.module.split(".")[0])
        used |= set(re.findall(r"get_model\(\s*[\"'](\w+)", path.read_text(encoding="utf-8")))
    return used


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("directory", {"verification", "demo", "api"}),
        ("verification", {"demo", "api"}),
        ("bulksql", {"directory", "verification", "demo", "api"}),
    ],
)
def test_a_package_never_uses_the_apps_above_it(package, forbidden):
    assert _names_used(package) & forbidden == set()


def test_each_app_names_its_own_pages():
    from django.urls import reverse

    assert reverse("verification:city", args=["houston-tx"]) == "/cities/houston-tx/"
    assert reverse("verification:surgeon", args=["1234567893"]) == "/surgeons/1234567893/"
    assert reverse("directory:consultation", args=["1234567893"]) == "/surgeons/1234567893/consult/"
    assert reverse("directory:how_we_verify") == "/how-we-verify/"
