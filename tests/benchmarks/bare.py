"""The anchor: bare Flask on the same server settings — a 32 KB page, and a POST that parses a
form the size of a section's and redirects, as the portal's save does."""

from flask import Flask, redirect, request

app = Flask(__name__)
PAGE = ("<p>" + "申报人员列表" * 1800 + "</p>")[: 32 * 1024 // 3]


@app.get("/")
def page():
    """A 32 KB string."""
    return PAGE


@app.post("/save")
def save():
    """Parse the posted form, as a section save does before its checks."""
    fields = request.form.to_dict(flat=False)
    return redirect(f"/saved?{len(fields)}", 302)
