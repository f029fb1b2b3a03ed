"""`python -m bench`, also run as `ogi bench`: every measurement in one run, as a table and as JSON."""

import typer

from bench.command import bench

app = typer.Typer(add_completion=False)
app.command()(bench)
app(prog_name="ogi bench")
