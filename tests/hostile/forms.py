"""The fields of a form as the page renders it: name, kind (the widget's input type), current value, options.

Reading the rendered form rather than the form class sees exactly what reaches the browser (formsets, prefixes,
hidden fields, fields added in `__init__`), and the page's own values are a valid starting point for an update
form: hostile values then replace some of them.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlparse

ERROR_CLASSES = ("invalid-feedback", "alert-danger", "errorlist", "text-danger")


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, number, date, checkbox, file, hidden…
    value: object = ""  # str, or a list for a multiple select or several checkboxes of one name
    options: list = field(default_factory=list)
    multiple: bool = False
    maxlength: int | None = None


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)
    buttons: list = field(default_factory=list)  # (name, value) of named submit buttons

    def data(self):
        """What the browser would send as the page stands (files left out)."""
        values = {}
        for f in self.fields.values():
            if f.kind == "file" or f.value in ("", None, []) and f.kind == "checkbox":
                continue
            values[f.name] = f.value
            if f.kind in ("select", "radio") and f.value in ("", None) and any(f.options):
                values[f.name] = next(option for option in f.options if option)  # a choice, as a person makes
        return values


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.form = None
        self.select = None
        self.option = None
        self.textarea = None
        self.error_depth = 0
        self.stack = []
        self.errors = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        classes = a.get("class", "").split()
        if tag not in VOID:
            self.stack.append(tag)
            if self.error_depth or any(c in ERROR_CLASSES for c in classes):
                self.error_depth += 1
                if self.error_depth == 1:
                    self.errors.append("")
        if tag == "form":
            self.form = Form(action=a.get("action", "")) if a.get("method", "get").lower() == "post" else None
            if self.form is not None:
                self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                self.form.buttons.append((name, a.get("value", "")))
                return
            checked = "checked" in a
            existing = self.form.fields.get(name)
            if kind in ("checkbox", "radio"):
                existing = existing or self.form.fields.setdefault(
                    name, Field(name, kind, [] if kind == "checkbox" else "")
                )
                existing.options.append(a.get("value", "on"))
                if checked:
                    if kind == "checkbox":
                        existing.value.append(a.get("value", "on"))
                    else:
                        existing.value = a.get("value", "on")
                return
            maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            self.form.fields[name] = Field(name, kind, a.get("value", ""), maxlength=maxlength)
        elif tag == "button" and name:
            self.form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            self.textarea = self.form.fields[name] = Field(name, "textarea", "", maxlength=maxlength)
        elif tag == "select" and name:
            multiple = "multiple" in a
            self.select = self.form.fields[name] = Field(name, "select", [] if multiple else None, multiple=multiple)
        elif tag == "option" and self.select is not None:
            self.option = a.get("value")
            self.option_text = ""
            self.option_selected = "selected" in a

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            while self.stack:
                if self.error_depth:
                    self.error_depth -= 1
                if self.stack.pop() == tag:
                    break
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "option" and self.select is not None:
            self._end_option()
        elif tag == "select" and self.select is not None:
            if self.option is not None:
                self._end_option()
            if not self.select.multiple and self.select.value is None:
                self.select.value = self.select.options[0] if self.select.options else ""
            self.select = None

    def _end_option(self):
        value = self.option if self.option is not None else self.option_text.strip()
        self.select.options.append(value)
        if self.option_selected:
            if self.select.multiple:
                self.select.value.append(value)
            else:
                self.select.value = value
        self.option = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.select is not None and self.option is not None:
            self.option_text += data
        if self.error_depth:
            self.errors[-1] += data


VOID = {"input", "br", "hr", "img", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


def parse(html):
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser


def form_of(html, path, landing):
    """The page's POST form sent to `path`; or, when the page at `landing` is another one (a redirect), its form
    posting to itself (an empty action)."""
    forms = parse(html).forms
    chosen = [f for f in forms if urlparse(f.action).path == path or not f.action and landing == path]
    chosen = chosen or [f for f in forms if not f.action]
    assert chosen, f"pas de formulaire POST vers {path} dans la page {landing}"
    return max(chosen, key=lambda f: len(f.fields))


def error_texts(html):
    """The texts of the page's error messages (field errors, form errors, error alerts)."""
    return [" ".join(text.split()) for text in parse(html).errors if text.strip()]
