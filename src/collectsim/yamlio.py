"""Safe YAML loading that remembers where every value came from.

Trainers' files are untrusted input: the loader never constructs Python objects (only the plain
YAML types ``safe_load`` gives: mappings, lists, text, numbers, booleans, null, dates), and it
refuses files that would exhaust memory or time (oversize files, alias "billion laughs" bombs,
very deep nesting) with a clear message instead of hanging or crashing.

The C loader composes the node graph; a single Python pass then builds the data and a `Marks`
table (path -> 1-based line and column) so later validation errors can point at the right line.
That pass also reports duplicate keys, which PyYAML silently resolves by keeping the last one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from collectsim.diagnostics import Diagnostic, LoadError, error

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_C_LOADER = Loader is not yaml.SafeLoader

MAX_FILE_BYTES = 1 << 20
#: Deepest nesting of lists and mappings; real persona files stay under ~10.
MAX_DEPTH = 64
#: Values visited again through aliases; a few shared reply lists stay far below this.
MAX_ALIAS_NODES = 50_000
#: Below this bound on nesting (see `_depth_bound`) the C composer is safe to run directly;
#: above it an event pass measures the real depth first (libyaml's composer recurses in C and
#: crashes the interpreter on tens of thousands of levels).
_DEPTH_GATE = 500

YamlPath = tuple[Any, ...]
Position = tuple[int, int]

_T = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _T + "str", _T + "seq", _T + "map", _T + "merge"


class Marks(dict[YamlPath, Position]):
    """Maps a path such as ``('rules', 0, 'when', 'acts')`` to the (line, col) of its value.

    ``key_at`` holds where the key naming a mapping entry is written, for messages about keys.
    """

    __slots__ = ("key_at",)

    def __init__(self) -> None:
        super().__init__()
        self.key_at: dict[YamlPath, Position] = {}

    def nearest(self, path: YamlPath) -> Position:
        """Position of the value at ``path`` or of its closest known ancestor."""
        p = tuple(path)
        while p:
            if p in self:
                return self[p]
            p = p[:-1]
        return self.get((), (1, 1))

    def key(self, path: YamlPath) -> Position:
        """Position of the key naming ``path``, else of the value or an ancestor."""
        p = tuple(path)
        while p:
            if p in self.key_at:
                return self.key_at[p]
            if p in self:
                return self[p]
            p = p[:-1]
        return self.get((), (1, 1))


class _Fatal(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


def load_yaml(text_or_bytes: str | bytes, filename: str) -> tuple[Any, Marks]:
    """Parse one YAML document whose top level is a mapping; raise `LoadError` on any problem."""
    text = _decode(text_or_bytes, filename)
    try:
        if _depth_bound(text) > _DEPTH_GATE:
            _check_depth(text, filename)
        loader = Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        raise LoadError(_syntax_error(e, text, filename)) from None
    except yaml.reader.ReaderError as e:
        line, col = _offset_position(text, e.position, in_bytes=_C_LOADER)
        msg = f"{_char_name(e.character)} is not allowed in a YAML file; remove it"
        raise LoadError.at(filename, line, col, msg, "yaml-char") from None
    except yaml.YAMLError as e:
        raise LoadError.at(filename, 1, 1, f"YAML error: {e}", "yaml-syntax") from None
    except _Fatal as f:
        raise LoadError(f.diagnostic) from None
    except RecursionError:
        msg = f"lists and mappings are nested too deeply (more than {MAX_DEPTH} levels)"
        raise LoadError.at(filename, 1, 1, msg, "yaml-depth") from None
    if node is None:
        msg = "the file is empty: expected keys such as 'id:' (a persona or scenario)"
        raise LoadError.at(filename, 1, 1, msg, "empty-file")
    if not isinstance(node, MappingNode) or node.tag != _MAP:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        msg = f"the top level must be a mapping of keys (like 'id: ...'), got {_node_kind(node)}"
        raise LoadError.at(filename, line, col, msg, "top-level")
    builder = _Builder(filename)
    try:
        data = builder.build(node, (), 0)
    except _Fatal as f:
        raise LoadError(f.diagnostic) from None
    except RecursionError:  # pragma: no cover - depth is bounded well below the limit
        msg = f"lists and mappings are nested too deeply (more than {MAX_DEPTH} levels)"
        raise LoadError.at(filename, 1, 1, msg, "yaml-depth") from None
    if builder.errors:
        err = LoadError(builder.errors)
        err.partial = (data, builder.marks)
        raise err
    return data, builder.marks


# --- bytes to text ------------------------------------------------------------------------------


def _decode(raw: str | bytes, filename: str) -> str:
    if isinstance(raw, str):
        if len(raw) > MAX_FILE_BYTES // 4 and len(raw.encode("utf-8", "replace")) > MAX_FILE_BYTES:
            raise LoadError.at(
                filename, 1, 1, _too_big(len(raw.encode("utf-8", "replace"))), "size"
            )
        nul = raw.find("\x00")
        if nul >= 0:
            line, col = _offset_position(raw, nul, in_bytes=False)
            raise LoadError.at(filename, line, col, _BINARY, "binary")
        return raw
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError.at(filename, 1, 1, _too_big(len(raw)), "size")
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        msg = "the file is saved as UTF-32; save it as UTF-8 instead"
        raise LoadError.at(filename, 1, 1, msg, "encoding")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        msg = "the file is saved as UTF-16; save it as UTF-8 instead"
        raise LoadError.at(filename, 1, 1, msg, "encoding")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        raise LoadError.at(filename, line, col, _BINARY, "binary")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line, col = _byte_position(raw, e.start)
        msg = (
            f"the file is not valid UTF-8 text (byte 0x{raw[e.start]:02x}); "
            "save it with the UTF-8 encoding"
        )
        raise LoadError.at(filename, line, col, msg, "encoding") from None


_BINARY = "this is not a text file (it contains NUL bytes); expected a YAML text file"


def _too_big(size: int) -> str:
    return f"the file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes)"


def _byte_position(raw: bytes, offset: int) -> Position:
    start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, col


def _offset_position(text: str, offset: int, *, in_bytes: bool) -> Position:
    if in_bytes:
        return _byte_position(text.encode("utf-8", "replace"), offset)
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


# --- nesting depth ------------------------------------------------------------------------------

_PREFIX = re.compile(r"^[ \t?:-]*", re.MULTILINE)


def _depth_bound(text: str) -> int:
    """A cheap upper bound on nesting: every flow level needs a bracket, every block level at
    least one more column of indentation or '- ' (a block list may share its key's column)."""
    widest = max(map(len, _PREFIX.findall(text)), default=0)
    return text.count("[") + text.count("{") + 2 * widest + 2


def _check_depth(text: str, filename: str) -> None:
    """Measure the real depth with libyaml's (non-recursive) parser before composing."""
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                m = event.start_mark
                raise _Fatal(error(filename, m.line + 1, m.column + 1, _too_deep(), "yaml-depth"))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _too_deep() -> str:
    return f"lists and mappings are nested too deeply (more than {MAX_DEPTH} levels)"


# --- syntax errors ------------------------------------------------------------------------------


def _syntax_error(e: yaml.MarkedYAMLError, text: str, filename: str) -> Diagnostic:
    mark = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    last = text.count("\n") + 1
    if line > last:
        # The end of a file without a final newline is marked on the line after it (and a
        # lone "\r" starts a line for YAML, not for an editor): point at the last line.
        line, col = last, len(text) - text.rfind("\n")
    ctx_line = e.context_mark.line + 1 if e.context_mark is not None else None
    problem = (e.problem or "").strip()
    context = (e.context or "").strip()
    char = _char_at(text, mark.line, mark.column) if mark is not None else ""
    code = "yaml-syntax"
    if "cannot start any token" in problem or "tab character" in problem:
        if char == "\t" or "tab" in problem:
            msg, code = "a tab is used for indentation; YAML needs spaces, not tabs", "yaml-tab"
        else:
            msg = f"{_char_name(char)} cannot start a value here; put the text in quotes"
    elif "mapping values are not allowed" in problem:
        msg = (
            "unexpected ':' here: text containing ': ' must be put in quotes, "
            "or the indentation is wrong"
        )
    elif "expected a single document" in context:
        msg = "the file holds more than one document ('---'); keep one persona or scenario per file"
    elif "undefined alias" in problem:
        lines = text.split("\n")
        rest = lines[line - 1][col - 1 :] if line <= len(lines) else ""
        m = re.match(r"\*([^\s,\[\]{}]+)", rest)
        name = m.group(1) if m else "?"
        msg = f"unknown alias '*{name}': no anchor '&{name}' is defined before it"
    elif "quoted scalar" in context and "end of stream" in problem:
        msg = f"a quoted text is not closed (the quote opens on line {ctx_line})"
    elif "flow sequence" in context or "flow mapping" in context:
        bracket = "[...]" if "sequence" in context else "{...}"
        msg = (
            f"a {bracket} opened on line {ctx_line} is not closed, or an item in it "
            "is missing a ','"
        )
    elif "expected '-' indicator" in problem or (
        "block collection" in context and "block end" in problem
    ):
        msg = (
            f"expected a list item ('- ...') here: this line does not line up with "
            f"the list that starts on line {ctx_line}"
        )
    elif "block mapping" in context:
        msg = (
            "this line's indentation does not match the keys above it "
            f"(the mapping starts on line {ctx_line})"
        )
    elif "could not find expected ':'" in problem:
        msg = "expected 'key: value' here; a text running over several lines needs quotes or '|'"
    else:
        detail = f"{problem} ({context})" if context else problem
        msg = f"YAML syntax error: {detail or e}"
    return error(filename, line, col, msg, code)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n")
    if 0 <= line < len(lines) and 0 <= col < len(lines[line]):
        return lines[line][col]
    return ""


def _char_name(char: str | int) -> str:
    if isinstance(char, int):
        char = chr(char)
    if not char:
        return "this character"
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"the control character U+{ord(char):04X}"


def _node_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return f"a mapping tagged {_short_tag(node.tag)}"
    return f"the text '{_clip(str(node.value))}'" if node.value != "" else "an empty value"


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_T) :] if tag.startswith(_T) else tag


# --- building data and marks --------------------------------------------------------------------


def _scalar_constructors() -> dict[str, Callable[[ScalarNode], Any]]:
    c = SafeConstructor()
    return {
        _T + "null": c.construct_yaml_null,
        _T + "bool": c.construct_yaml_bool,
        _T + "int": c.construct_yaml_int,
        _T + "float": c.construct_yaml_float,
        _T + "timestamp": c.construct_yaml_timestamp,
        # A lone '=' resolves to the 'value' tag, which safe_load refuses; it is just text here.
        _T + "value": lambda n: n.value,
    }


_SCALARS = _scalar_constructors()


class _Builder:
    """One pass over the composed node graph: data, marks, duplicate keys, tag and alias checks."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.marks = Marks()
        self.errors: list[Diagnostic] = []
        self._seen: set[int] = set()
        self._active: set[int] = set()
        self._repeats = 0

    def _err(self, node: Node, message: str, code: str) -> None:
        m = node.start_mark
        self.errors.append(error(self.filename, m.line + 1, m.column + 1, message, code))

    def _fatal(self, path: YamlPath, message: str, code: str) -> _Fatal:
        # The top-level key holding the problem is where a trainer can find and fix it.
        line, col = self.marks.key(path[:1])
        return _Fatal(error(self.filename, line, col, message, code))

    def build(self, node: Node, path: YamlPath, depth: int) -> Any:
        nid = id(node)
        if nid in self._seen:
            if nid in self._active:
                raise self._fatal(
                    path, "an alias refers to the list or mapping containing it", "yaml-alias-loop"
                )
            self._repeats += 1
            if self._repeats > MAX_ALIAS_NODES:
                msg = (
                    f"aliases ('*name') expand to too many values (more than {MAX_ALIAS_NODES:,});"
                    " the file may be an 'alias bomb'"
                )
                raise self._fatal(path, msg, "yaml-alias-bomb")
        else:
            self._seen.add(nid)
        m = node.start_mark
        self.marks[path] = (m.line + 1, m.column + 1)
        if type(node) is ScalarNode:
            return self._scalar(node)
        if depth >= MAX_DEPTH:
            raise _Fatal(error(self.filename, m.line + 1, m.column + 1, _too_deep(), "yaml-depth"))
        self._active.add(nid)
        try:
            if type(node) is SequenceNode:
                if node.tag != _SEQ:
                    self._bad_tag(node)
                return [self.build(v, (*path, i), depth + 1) for i, v in enumerate(node.value)]
            if node.tag != _MAP:
                self._bad_tag(node)
            return self._mapping(node, path, depth)
        finally:
            self._active.discard(nid)

    def _mapping(self, node: MappingNode, path: YamlPath, depth: int) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        explicit: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for knode, vnode in node.value:
            if knode.tag == _MERGE:
                self._merge(vnode, path, depth, merged)
                continue
            if type(knode) is not ScalarNode:
                self._err(knode, "a key must be a plain name, not a list or mapping", "bad-key")
                continue
            key = self._scalar(knode)
            try:
                hash(key)
            except TypeError:  # pragma: no cover - scalars are hashable
                continue
            kpath = (*path, key)
            kline = knode.start_mark.line + 1
            if key in first_line:
                self._err(
                    knode,
                    f"duplicate key '{key}' (already given on line {first_line[key]}); "
                    "remove one of them",
                    "duplicate-key",
                )
            else:
                first_line[key] = kline
            self.marks.key_at[kpath] = (kline, knode.start_mark.column + 1)
            explicit[key] = self.build(vnode, kpath, depth + 1)
        m = node.start_mark
        self.marks[path] = (m.line + 1, m.column + 1)
        if merged:
            return {**merged, **explicit}
        return explicit

    def _merge(self, vnode: Node, path: YamlPath, depth: int, merged: dict[Any, Any]) -> None:
        sources = vnode.value if type(vnode) is SequenceNode else [vnode]
        for src in sources:
            if type(src) is not MappingNode:
                self._err(src, "'<<' can only merge a mapping (e.g. '<<: *defaults')", "bad-merge")
                continue
            for k, v in self.build(src, path, depth).items():
                merged.setdefault(k, v)

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        ctor = _SCALARS.get(tag)
        if ctor is None:
            self._bad_tag(node)
            return node.value
        try:
            return ctor(node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError) as e:
            if tag.endswith("timestamp"):
                msg = f"'{_clip(node.value)}' is not a valid date: {e}"
            else:
                msg = (
                    f"'{_clip(node.value)}' is not a usable number; put it in quotes if it is text"
                )
            self._err(node, msg, "bad-value")
            return node.value

    def _bad_tag(self, node: Node) -> None:
        tag = _short_tag(node.tag)
        if "python/" in node.tag:
            msg = f"Python tags such as '{tag}' are not allowed: the file must hold plain data"
        elif node.tag.startswith(_T):
            msg = f"the YAML tag '{tag}' is not supported here; remove it"
        else:
            msg = f"unknown tag '{tag}'; remove it"
        self._err(node, msg, "yaml-tag")
