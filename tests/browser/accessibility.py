"""What an accessibility check in the browser finds on a page: axe-core's violations (its script, bundled by
axe-playwright-python, put into the page), and whether the page scrolls sideways."""

from pathlib import Path

import axe_playwright_python

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
BLOCKING = ("serious", "critical")


async def axe_violations(page) -> list[dict]:
    """Every violation axe-core finds; the page's context must bypass its Content-Security-Policy to run it."""
    await page.add_script_tag(content=AXE)
    result = await page.evaluate("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in result]


async def problems(page, where: str) -> list[str]:
    """The serious and critical violations, and any sideways scrolling, each named with `where`; the rest of
    what axe-core says is printed."""
    found = []
    for violation in await axe_violations(page):
        print(f"axe {where}: {violation}")
        if violation["impact"] in BLOCKING:
            found.append(f"{where}: {violation}")
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        found.append(f"{where}: scrolls sideways by {overflow} px")
    return found
