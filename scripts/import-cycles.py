#!/usr/bin/env python3
"""Prints every import circle among the source files, or "No import circles"; exits 1 on a circle.

A circle is a set of files (or modules) each of which, following imports, leads back to
itself: none of them can be read, or moved, without the others.

Rust, per crate: each lib, bin, test, bench and example root of every workspace package,
following its `mod` declarations to files (`#[path]` included). File A imports file B when
A's code names B's module: a path from `crate::`, `super::`, `self::` or a child module's
name, in a `use` (braces expanded) or in the code (`crate::files::pick(...)`). A path
counts for the deepest module it reaches: `use crate::library::Item` imports
`library/mod.rs`, even if `Item` is declared in a child and re-exported there. Inline
modules belong to their file (`super::` inside one starts from it); comments, string
literals and test code (`#[cfg(test)]` modules, inline or in files) are left out, since a
test reads its module from outside.

The rule for parents and children. `mod child;` only declares a child, and `pub use
child::Item` (any `pub`) of a module's own descendants only re-exports it: the parent is
the child's front door, not its reader, so neither is an import. A module reading its
parent or any ancestor (`use super::Inner`, `crate::Item` of the crate root) is not one
either: a folder with its `mod.rs` is one unit, its children are the parent's code split
into files, and a child can no more be read without its parent than half a file without
the other half. The parent reading its children (`fetch::attempt()`, `use follow::Pause`)
is an import. So a circle needs modules that are not each other's ancestors, checked at
two levels: between files, and between sibling modules where a folder stands for all
its files (`downloads/mod.rs -> library_folder.rs -> downloads/naming.rs` makes
`downloads/` and `library_folder.rs` a circle though no two files import each other).
`--strict` also counts a child reading its parent, so a parent that reads the child back
(beyond `mod child;` and re-exports) makes a circle with it: the list to consult before
splitting a folder's types out of its `mod.rs`.

TypeScript and Svelte, in ui/src: relative imports (`import`/`export ... from './x'`,
`import './x'`, `import('./x')`; type-only imports too, as a reader follows them just the
same), resolved as Vite resolves them (`x`, `x.ts`, `x.svelte.ts`, `x.js`, `x.svelte`,
`x/index.ts`). Generated files (ui/src/lib/bindings) are left out.

Usage: python3 scripts/import-cycles.py [--strict] [repository root]
"""

from __future__ import annotations

import glob
import os
import re
import sys
import tomllib
from collections import defaultdict

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROOT = os.path.abspath(ARGS[0] if ARGS else os.path.join(os.path.dirname(__file__), ".."))
UI_SRC = os.path.join(ROOT, "ui", "src")
MAX_CIRCLES_PER_GROUP = 50


def rel(path: str) -> str:
    return os.path.relpath(path, ROOT)


# ---------------------------------------------------------------- Rust


def strip_rust(text: str) -> str:
    """The code without comments, and with string and char literals emptied (line breaks kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    out.append("\n" if text[i] == "\n" else "")
                    i += 1
        elif m := re.compile(r'b?r(#*)"').match(text, i):
            if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
                out.append(c)
                i += 1
                continue
            end = text.find('"' + m.group(1), m.end())
            end = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and (m := re.compile(r"'(\\.[^']*|[^'\\])'").match(text, i)):
            out.append("' '")
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def module_dir(file: str, is_root: bool) -> str:
    """Where the files of a module's children live."""
    base = os.path.basename(file)
    if is_root or base == "mod.rs":
        return os.path.dirname(file)
    return os.path.join(os.path.dirname(file), os.path.splitext(base)[0])


MOD_DECL = re.compile(r"^(\s*)(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*(;|\{)")
PATH_ATTR = re.compile(r'#\[path\s*=\s*"([^"]+)"\]')


def load_crate(root_file: str):
    """Every file of the crate whose root is `root_file`, by file: its module path, its code
    (stripped), the module path of each line and which lines are test code; and every module
    path with its file. Inline modules are found by rustfmt's indentation."""
    files: dict[str, dict] = {}
    modules: dict[tuple[str, ...], str] = {}

    def visit(file: str, path: tuple[str, ...], is_root: bool, is_test: bool):
        if file in files or not os.path.isfile(file):
            return
        raw = open(file, encoding="utf-8").read()
        code = strip_rust(raw)
        raw_lines, lines = raw.split("\n"), code.split("\n")
        scopes, tests = [], []  # for each line: the module path it is in, whether it is test code
        stack: list[tuple[int, str, bool]] = []  # inline modules open: (indent, name, test)
        children = []
        for number, line in enumerate(lines):
            if stack and re.match(r"^\s{%d}\}" % stack[-1][0], line) and line.strip() == "}":
                stack.pop()
            scope = path + tuple(name for _, name, _ in stack)
            scopes.append(scope)
            tests.append(is_test or any(test for _, _, test in stack))
            m = MOD_DECL.match(line)
            if not m:
                continue
            indent, name, end = len(m.group(1)), m.group(2), m.group(3)
            attributes = "\n".join(raw_lines[max(0, number - 3) : number])
            test = tests[-1] or "#[cfg(test)]" in attributes
            if end == "{":
                if not line.rstrip().endswith("}"):
                    stack.append((indent, name, test))
                modules.setdefault(scope + (name,), file)
                continue
            attr = PATH_ATTR.search(raw_lines[number - 1] if number else "")
            if attr:
                child = os.path.join(os.path.dirname(file), attr.group(1))
            else:
                base = module_dir(file, is_root)
                if stack:
                    base = os.path.join(base, *[n for _, n, _ in stack])
                child = os.path.join(base, name + ".rs")
                if not os.path.isfile(child):
                    child = os.path.join(base, name, "mod.rs")
            children.append((scope + (name,), os.path.normpath(child), test))
        files[file] = {"path": path, "code": code, "scopes": scopes, "tests": tests}
        modules[path] = file
        for child_path, child_file, test in children:
            visit(child_file, child_path, False, test)

    visit(os.path.normpath(root_file), (), True, False)
    return files, modules


def expand_use(tree: str) -> list[tuple[str, str | None]]:
    """`a::{b, c::{d as e}, self}` -> [("a::b", None), ("a::c::d", "e"), ("a", None)]."""
    tree = re.sub(r"\s*([{},]|::)\s*", r"\1", re.sub(r"\s+", " ", tree.strip()))

    def split_top(s: str) -> list[str]:
        parts, depth, start = [], 0, 0
        for i, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(s[start:i])
                start = i + 1
        parts.append(s[start:])
        return [p for p in parts if p]

    def walk(prefix: str, s: str) -> list[tuple[str, str | None]]:
        brace = s.find("{")
        if brace < 0:
            alias = None
            if " as " in s:
                s, alias = s.split(" as ", 1)
            if s == "self":
                return [(prefix.rstrip(":"), alias)]
            return [(prefix + s, alias)]
        head, inner = s[:brace], s[brace + 1 : s.rfind("}")]
        out = []
        for part in split_top(inner):
            out += walk(prefix + head, part)
        return out

    return walk("", tree)


USE_STMT = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
PATH_IN_CODE = re.compile(r"(?<![\w:])(\w+(?:::\w+)+)")
WORD = re.compile(r"\b\w+\b")


def resolve(segments: list[str], scope: tuple[str, ...], modules) -> tuple[str, ...] | None:
    """The deepest module `segments` reaches from `scope`: a path from `crate`, `super` or
    `self`, or from a child module's name (`use child::Item`, `child::f()`); `None` for
    other paths (other crates, `std`, a type's `Self::` or an enum's variants)."""
    if not segments:
        return None
    if segments[0] not in ("crate", "super", "self"):
        if scope + (segments[0],) not in modules:
            return None
        segments = ["self"] + segments
    current = scope
    i = 0
    while i < len(segments) and segments[i] in ("crate", "super", "self"):
        word = segments[i]
        if word == "crate":
            current = ()
        elif word == "super":
            current = current[:-1]
        i += 1
    for word in segments[i:]:
        if current + (word,) in modules:
            current = current + (word,)
        else:
            break
    return current


def rust_edges(root_file: str, strict: bool):
    files, modules = load_crate(root_file)
    edges: dict[str, dict[str, int]] = defaultdict(dict)
    for file, info in files.items():
        code, scopes, own = info["code"], info["scopes"], info["path"]
        line_of = lambda offset: code.count("\n", 0, offset)
        reexported: dict[str, tuple[str, int]] = {}  # name -> (file, line)
        spans = []

        def add(target_module, line):
            target = modules.get(target_module)
            if not target or target == file or info["tests"][line]:
                return
            scope = scopes[line]
            if not strict and scope[: len(target_module)] == target_module:
                return  # a module reading its parent (or any ancestor): one folder
            edges[file].setdefault(target, line + 1)

        for m in USE_STMT.finditer(code):
            spans.append((m.start(), m.end()))
            line = line_of(m.start())
            scope = scopes[line]
            for path, alias in expand_use(m.group(2)):
                segments = [s for s in path.split("::") if s]
                target = resolve(segments, scope, modules)
                if target is None:
                    continue
                is_descendant = len(target) > len(own) and target[: len(own)] == own
                if m.group(1) and is_descendant:
                    name = alias or segments[-1]
                    if name != "*":
                        reexported[name] = (target, line)
                    continue
                add(target, line)
        rest = list(code)
        for start, end in spans:
            for k in range(start, end):
                if rest[k] != "\n":
                    rest[k] = " "
        rest = "".join(rest)
        for m in PATH_IN_CODE.finditer(rest):
            line = line_of(m.start())
            add(resolve(m.group(1).split("::"), scopes[line], modules), line)
        for m in WORD.finditer(rest):
            if m.group(0) in reexported:
                target, _ = reexported[m.group(0)]
                add(target, line_of(m.start()))
    return edges, {file: info["path"] for file, info in files.items()}, modules


def folder_edges(edges, module_of, modules):
    """The imports between sibling modules, a folder module standing for all its files:
    `downloads/mod.rs -> library_folder.rs -> downloads/naming.rs` is a circle between the
    modules `downloads` and `library_folder` though no two files import each other. Keyed by
    the display name of each sibling (its file, or its folder with a `/`)."""
    # Modules with children in files of their own (inline `mod tests {}` does not count).
    has_children = {p[:-1] for p, f in modules.items() if p and modules.get(p[:-1]) != f}
    lifted: dict[str, dict[str, str]] = defaultdict(dict)
    folders = {}  # display name -> the folder module's own file

    def name(path):
        file = modules[path]
        if path not in has_children:
            return rel(file)
        folder = rel(module_dir(file, is_root=not path)) + "/"
        folders[folder] = rel(file)
        return folder

    for source, targets in edges.items():
        a = module_of[source]
        for target, line in targets.items():
            b = module_of[target]
            common = 0
            while common < min(len(a), len(b)) and a[common] == b[common]:
                common += 1
            if common == len(a) or common == len(b):
                continue  # a parent and its descendant: the file graph judges those
            x, y = a[: common + 1], b[: common + 1]
            lifted[name(x)].setdefault(name(y), f"{rel(source)}:{line}")
    return lifted, folders


def rust_roots() -> list[str]:
    manifest = tomllib.load(open(os.path.join(ROOT, "Cargo.toml"), "rb"))
    packages = [ROOT] if "package" in manifest else []
    for member in manifest.get("workspace", {}).get("members", []):
        packages += sorted(glob.glob(os.path.join(ROOT, member)))
    roots = []
    for package in packages:
        cargo = tomllib.load(open(os.path.join(package, "Cargo.toml"), "rb"))
        found = [os.path.join(package, "src", "lib.rs"), os.path.join(package, "src", "main.rs")]
        found.append(os.path.join(package, cargo.get("lib", {}).get("path", "src/lib.rs")))
        for section in ("bin", "test", "bench", "example"):
            for target in cargo.get(section, []):
                if "path" in target:
                    found.append(os.path.join(package, target["path"]))
        for pattern in ("src/bin/*.rs", "src/bin/*/main.rs", "tests/*.rs", "benches/*.rs", "examples/*.rs"):
            found += glob.glob(os.path.join(package, pattern))
        roots += [os.path.normpath(f) for f in found if os.path.isfile(f)]
    return sorted(set(roots))


# ---------------------------------------------------------------- TypeScript / Svelte

TS_IMPORTS = [
    re.compile(r"""(?m)^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]"""),
    re.compile(r"""(?m)^\s*import\s*['"]([^'"]+)['"]"""),
    re.compile(r"""\bimport\(\s*['"]([^'"]+)['"]\s*\)"""),
]
TS_SUFFIXES = ["", ".ts", ".svelte.ts", ".js", ".svelte", "/index.ts"]


def ui_edges():
    edges: dict[str, dict[str, int]] = defaultdict(dict)
    sources = []
    for folder, _, names in os.walk(UI_SRC):
        sources += [os.path.join(folder, n) for n in names if n.endswith((".ts", ".svelte"))]
    for file in sorted(sources):
        text = open(file, encoding="utf-8").read()
        if "This file was generated" in text.split("\n", 1)[0]:
            continue
        text = re.sub(r"(?m)^\s*//.*$", "", text)
        for pattern in TS_IMPORTS:
            for m in pattern.finditer(text):
                spec = m.group(1)
                if not spec.startswith("."):
                    continue
                base = os.path.normpath(os.path.join(os.path.dirname(file), spec))
                for suffix in TS_SUFFIXES:
                    target = base + suffix
                    if os.path.isfile(target):
                        if target != file:
                            edges[file].setdefault(target, text.count("\n", 0, m.start()) + 1)
                        break
    return edges


# ---------------------------------------------------------------- circles


def strongly_connected(edges) -> list[list[str]]:
    """Groups of two or more files that all reach each other (a few hundred files: a
    search from each is fast enough, and plainer than Tarjan's algorithm)."""
    nodes = sorted(set(edges) | {t for targets in edges.values() for t in targets})

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for child in edges.get(todo.pop(), {}):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    reaches = {node: reach(node) for node in nodes}
    groups = {}
    for node in nodes:
        group = tuple(sorted(m for m in reaches[node] if node in reaches[m]))
        if len(group) > 1:
            groups[group] = list(group)
    return list(groups.values())


def circles_in(group: list[str], edges) -> list[list[str]]:
    """The elementary circles of one group, each starting at its smallest file."""
    members = set(group)
    found = []
    for start in group:
        path = [start]

        def extend(node):
            if len(found) >= MAX_CIRCLES_PER_GROUP:
                return
            for child in sorted(edges.get(node, {})):
                if child not in members or child < start:
                    continue
                if child == start:
                    found.append(path + [start])
                elif child not in path:
                    path.append(child)
                    extend(child)
                    path.pop()

        extend(start)
    return found


def main() -> int:
    strict = "--strict" in sys.argv[1:]
    graphs = []  # (label, what, edges as {node: {node: where}})
    for root_file in rust_roots():
        edges, module_of, modules = rust_edges(root_file, strict)
        label = f"Rust crate {rel(root_file)}"
        files = {rel(a): {rel(b): f"{rel(a)}:{line}" for b, line in t.items()} for a, t in edges.items()}
        graphs.append((label, "files", files, lambda group: True))
        file_groups = [set(g) for g in strongly_connected(files)]
        lifted, folders = folder_edges(edges, module_of, modules)

        # Reported already when the modules' own files make a circle of files (or a
        # subset of one): only circles that run through a folder's other files are new.
        def new(group, folders=folders, file_groups=file_groups):
            own_files = {folders.get(g, g) for g in group}
            return any(g in folders for g in group) and not any(own_files <= f for f in file_groups)

        graphs.append((label, "modules", lifted, new))
    ui = {rel(a): {rel(b): f"{rel(a)}:{line}" for b, line in t.items()} for a, t in ui_edges().items()}
    graphs.append(("ui/src", "files", ui, lambda group: True))
    seen = set()
    total = 0
    for label, what, edges, wanted in graphs:
        for group in strongly_connected(edges):
            key = tuple(group)
            if key in seen or not wanted(group):  # seen: a lib's file reached from its bin too
                continue
            seen.add(key)
            print(f"{label}: a circle among {len(group)} {what}")
            for circle in circles_in(group, edges):
                total += 1
                steps = [
                    edges[a][b] if edges[a][b].startswith(a + ":") else f"{a} ({edges[a][b]})"
                    for a, b in zip(circle, circle[1:])
                ]
                print("  " + " -> ".join(steps) + f" -> {circle[-1]}")
    if not seen:
        print("No import circles")
        return 0
    print(f"{total} circle(s) in {len(seen)} group(s); each step names an importing line.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
