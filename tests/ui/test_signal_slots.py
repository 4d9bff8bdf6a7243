"""Every signal connected in the UI reaches its slot with the arguments the slot expects.

PySide passes a signal's arguments to as many positional parameters as the slot has: a
``clicked(bool)`` connected to ``export(self, target=None)`` fills ``target`` with ``False``
and the export silently does nothing. This reads every ``connect()`` in ``fieldkit/ui`` and
checks the slot it names against the signal's arguments."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import fieldkit

SRC = Path(fieldkit.__file__).parent
UI = SRC / "ui"

# How many arguments Qt's own signals (as used in the UI) pass. Overloaded signals are given
# their longest form: a slot must not be filled beyond what it asks for by any of them.
QT_SIGNALS: dict[str, int] = {
    "aboutToQuit": 0,
    "accepted": 0,
    "activated": 1,
    "activeChanged": 1,
    "cellChanged": 2,
    "cellClicked": 2,
    "cellActivated": 2,
    "currentCellChanged": 4,
    "clicked": 1,
    "currentChanged": 2,  # QItemSelectionModel (current, previous); QTabWidget passes 1
    "currentIndexChanged": 1,
    "currentRowChanged": 2,
    "currentItemChanged": 2,  # QListWidget: (current, previous)
    "focusChanged": 2,  # QApplication: (old, now)
    "rangeChanged": 2,  # QScrollBar: (min, max)
    "currentTextChanged": 1,
    "customContextMenuRequested": 1,
    "dataChanged": 3,
    "destroyed": 1,
    "doubleClicked": 1,
    "editingFinished": 0,
    "errorOccurred": 2,
    "finished": 2,  # QProcess (exit code, status); QDialog passes 1
    "isBehindCaptivePortalChanged": 1,
    "itemActivated": 1,
    "itemChanged": 1,
    "itemClicked": 1,
    "itemDoubleClicked": 1,
    "itemSelectionChanged": 0,
    "linkActivated": 1,
    "modelReset": 0,
    "pressed": 1,
    "reachabilityChanged": 1,
    "readyRead": 0,
    "readyReadStandardError": 0,
    "readyReadStandardOutput": 0,
    "rejected": 0,
    "released": 0,
    "returnPressed": 0,
    "rowsInserted": 3,
    "sectionClicked": 1,
    "selectionChanged": 2,
    "started": 0,
    "stateChanged": 1,
    "textActivated": 1,
    "textChanged": 1,
    "textEdited": 1,
    "timeout": 0,
    "toggled": 1,
    "transportMediumChanged": 1,
    "triggered": 1,
    "valueChanged": 1,
    "videoFrameChanged": 1,
    "videoInputsChanged": 0,
}


@dataclass(frozen=True)
class Slot:
    name: str
    params: list[str]  # positional parameters a signal can fill, without self
    defaults: int  # how many of the last of them have a default


def _params(fn: ast.FunctionDef | ast.Lambda, method: bool) -> Slot:
    args = [*fn.args.posonlyargs, *fn.args.args]
    if method and args and args[0].arg in ("self", "cls"):
        args = args[1:]
    name = fn.name if isinstance(fn, ast.FunctionDef) else "lambda"
    return Slot(name, [a.arg for a in args], len(fn.args.defaults))


def _definitions() -> dict[str, list[Slot]]:
    """Every function and method of the UI, by name: a slot on another object
    (``self.view.set_page``) is checked against every method of that name."""
    found: dict[str, list[Slot]] = {}
    for path in UI.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for parent in ast.walk(tree):
            for node in ast.iter_child_nodes(parent):
                if isinstance(node, ast.FunctionDef):
                    slot = _params(node, isinstance(parent, ast.ClassDef))
                    found.setdefault(node.name, []).append(slot)
    return found


def _own_method(tree: ast.AST, connect: ast.Call, name: str) -> list[Slot] | None:
    """``self.name`` in the class around the connect(): its method, or None if inherited."""
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef) and connect in list(ast.walk(cls)):
            for node in cls.body:
                if isinstance(node, ast.FunctionDef) and node.name == name:
                    return [_params(node, method=True)]
            return None
    return None


def _custom_signals() -> dict[str, int]:
    arity: dict[str, int] = {}
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "Signal"
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        arity[target.id] = max(arity.get(target.id, 0), len(node.value.args))
    return arity


def _problem(slot: Slot, arity: int) -> str | None:
    filled = slot.params[:arity]
    first_default = len(slot.params) - slot.defaults
    for index, name in enumerate(filled):
        if index >= first_default and not name.startswith("_"):
            return f"the signal's argument {index + 1} lands in optional parameter {name!r}"
    if first_default > arity:
        return f"{slot.name} needs {first_default} arguments, the signal passes {arity}"
    return None


def _loop_values(tree: ast.AST, connect: ast.Call, name: str) -> list[ast.expr] | None:
    """The values a loop variable takes, when the loop runs over a literal tuple of tuples."""
    for loop in ast.walk(tree):
        if not isinstance(loop, ast.For) or connect not in list(ast.walk(loop)):
            continue
        if not isinstance(loop.target, ast.Tuple) or not isinstance(
            loop.iter, ast.Tuple | ast.List
        ):
            continue
        names = [t.id if isinstance(t, ast.Name) else None for t in loop.target.elts]
        if name not in names:
            continue
        at = names.index(name)
        values = []
        for element in loop.iter.elts:
            if not isinstance(element, ast.Tuple):
                return None
            values.append(element.elts[at])
        return values
    return None


def _parameter(tree: ast.AST, connect: ast.Call, name: str) -> ast.arg | None:
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and connect in list(ast.walk(fn)):
            for arg in [*fn.args.args, *fn.args.kwonlyargs]:
                if arg.arg == name:
                    return arg
    return None


def _check(
    tree: ast.AST,
    connect: ast.Call,
    target: ast.expr,
    arity: int,
    defs: dict[str, list[Slot]],
) -> list[str]:
    if isinstance(target, ast.Lambda):
        problem = _problem(_params(target, method=False), arity)
        return [problem] if problem else []
    if isinstance(target, ast.Attribute):
        if isinstance(target.value, ast.Name) and target.value.id == "self":
            # The class's own method; one it inherits is Qt's (a C++ slot, typed).
            own = _own_method(tree, connect, target.attr) or []
            return [p for slot in own if (p := _problem(slot, arity))]
        if target.attr == "emit":
            return []  # a signal relayed: PySide passes what the relayed signal declares
        # A method of ours by that name (any class: conservative), or else a Qt slot.
        return [p for slot in defs.get(target.attr, []) if (p := _problem(slot, arity))]
    if isinstance(target, ast.Name):
        values = _loop_values(tree, connect, target.id)
        if values is not None:
            return [p for v in values for p in _check(tree, connect, v, arity, defs)]
        arg = _parameter(tree, connect, target.id)
        if arg is not None and arg.annotation is not None:
            text = ast.unparse(arg.annotation)
            if text.startswith("Callable[[]"):
                return []  # takes nothing: PySide passes nothing
            return [f"parameter {target.id}: {text} may take the signal's arguments"]
        if target.id in defs:
            return [p for slot in defs[target.id] if (p := _problem(slot, arity))]
    return [f"cannot tell what {ast.unparse(target)} is"]


def connections() -> list[tuple[str, int, str, list[str]]]:
    """(file, line, source, problems) for every connect() in the UI."""
    defs, custom = _definitions(), _custom_signals()
    out = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and node.args
            ):
                continue
            if not isinstance(node.func.value, ast.Attribute):
                problems = ["connect() on a signal held in a variable: name the signal"]
                out.append((path.name, node.lineno, ast.unparse(node), problems))
                continue
            signal = node.func.value.attr
            arity = custom.get(signal, QT_SIGNALS.get(signal))
            if arity is None:
                problems = [f"unknown signal {signal!r}: add how many arguments it passes"]
            else:
                problems = _check(tree, node, node.args[0], arity, defs)
            out.append((path.name, node.lineno, ast.unparse(node), problems))
    return out


def test_no_signal_fills_an_optional_parameter_of_its_slot() -> None:
    found = connections()
    assert len(found) > 50  # the scan sees the UI's connections
    bad = [f"{f}:{line}: {src}: {'; '.join(p)}" for f, line, src, p in found if p]
    assert bad == [], "\n".join(bad)


def test_the_scan_catches_a_click_landing_in_an_optional_parameter() -> None:
    tree = ast.parse(
        "class D:\n"
        "    def export(self, target=None): ...\n"
        "    def build(self):\n"
        "        button.clicked.connect(self.export)\n"
        "        button.clicked.connect(lambda: self.export())\n"
        "        button.clicked.connect(lambda _=False, a=1: self.run(a))\n"
        "        button.clicked.connect(lambda on=False: self.run(on))\n"
    )
    defs = {"run": [Slot("run", ["a"], 0)]}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args]
    calls = [c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr == "connect"]
    results = [_check(tree, c, c.args[0], QT_SIGNALS["clicked"], defs) for c in calls]
    assert [bool(r) for r in results] == [True, False, False, True]
    assert "optional parameter 'target'" in results[0][0]
