from ogi.cli import app

app(prog_name="ogi")
