"""Shared helpers of the certification kit: the deviations file
(docs/deviations.md), matching findings against it, the enclosing function of
a source line, and MISRA C:2012 rule categories. Python standard library only."""
import fnmatch
import os
import re

DEVIATIONS = "docs/deviations.md"

# MISRA C:2012 (with Amendments 1 and 2) rule categories, by rule number.
# cppcheck 2.10's addon reports rule numbers only (the rule texts are MISRA's
# copyright); the category decides what a finding needs: a Mandatory rule
# admits no deviation, a Required one needs a deviation record, an Advisory
# one may be disapplied in the guideline re-categorization plan (GRP).
_M, _R, _A = "Mandatory", "Required", "Advisory"
MISRA_CATEGORY = {}
for _cat, _rules in (
    (_M, "9.1 12.5 13.6 17.3 17.4 17.6 19.1 21.13 21.17 21.18 21.19 21.20 "
         "22.2 22.4 22.5 22.6"),
    (_A, "1.2 2.3 2.4 2.5 2.6 2.7 4.2 5.9 8.7 8.9 8.11 8.13 10.5 11.4 11.5 12.1 "
         "12.3 12.4 13.3 13.4 15.1 15.4 15.5 17.5 17.8 18.4 18.5 19.2 20.1 20.5 "
         "20.10 21.12"),
    (_R, "1.1 1.3 1.4 2.1 2.2 3.1 3.2 4.1 5.1 5.2 5.3 5.4 5.5 5.6 5.7 5.8 6.1 6.2 "
         "7.1 7.2 7.3 7.4 8.1 8.2 8.3 8.4 8.5 8.6 8.8 8.10 8.12 8.14 9.2 9.3 9.4 9.5 "
         "10.1 10.2 10.3 10.4 10.6 10.7 10.8 11.1 11.2 11.3 11.6 11.7 11.8 11.9 "
         "12.2 13.1 13.2 13.5 14.1 14.2 14.3 14.4 15.2 15.3 15.6 15.7 16.1 16.2 "
         "16.3 16.4 16.5 16.6 16.7 17.1 17.2 17.7 18.1 18.2 18.3 18.6 18.7 18.8 "
         "20.2 20.3 20.4 20.6 20.7 20.8 20.9 20.11 20.12 20.13 20.14 21.1 21.2 "
         "21.3 21.4 21.5 21.6 21.7 21.8 21.9 21.10 21.11 21.14 21.15 21.16 21.21 "
         "22.1 22.3 22.7 22.8 22.9 22.10"),
):
    for _r in _rules.split():
        MISRA_CATEGORY[_r] = _cat


def misra_category(rule):
    return MISRA_CATEGORY.get(rule, "Unknown")


def rule_key(rule):
    """Sort key for '10.4' style numbers (others sort after, by name)."""
    m = re.match(r"^(\d+)\.(\d+)$", rule)
    return (0, int(m.group(1)), int(m.group(2)), "") if m else (1, 0, 0, rule)


def split_row(line):
    """Cells of a Markdown table row; '\\|' inside a cell is a literal bar."""
    line = line.strip()
    if not line.startswith("|"):
        return None
    cells = re.split(r"(?<!\\)\|", line.strip("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


class Place:
    """One place of a deviation: PATH-GLOB[:LINE | :FUNCTION() | :`TEXT` | :/REGEX/].
    The glob matches the path relative to the tree ('*' stops at '/', '**'
    crosses it); LINE an exact line, FUNCTION() any line inside that
    function's body, `TEXT` any line whose source contains TEXT, /REGEX/ any
    line a Python regular expression finds a match in."""

    def __init__(self, spec):
        self.spec = spec
        self.line = self.func = self.text = self.regex = None
        m = re.match(r"^(.*?):/(.*)/$", spec)
        if m:
            self.glob, self.regex = m.group(1), re.compile(m.group(2))
            return
        m = re.match(r"^(.*?):(\d+)$", spec)
        if m:
            self.glob, self.line = m.group(1), int(m.group(2))
            return
        m = re.match(r"^(.*?):([A-Za-z_]\w*)\(\)$", spec)
        if m:
            self.glob, self.func = m.group(1), m.group(2)
            return
        m = re.match(r"^(.*?):`(.*)`$", spec)
        if m:
            self.glob, self.text = m.group(1), m.group(2)
            return
        self.glob = spec

    def _glob_match(self, path):
        # "\*" is how Markdown cells write a literal "*".
        glob = self.glob.replace("\\*", "*")
        if glob in ("*", "**"):
            return True
        rx = re.escape(glob).replace(r"\*\*", "\0").replace(r"\*", "[^/]*")
        rx = rx.replace("\0", ".*").replace(r"\?", "[^/]")
        return re.fullmatch(rx, path) is not None

    def matches(self, path, line):
        if not self._glob_match(path):
            return False
        if self.line is not None:
            return line == self.line
        if self.func is not None:
            return function_at(path, line) == self.func
        if self.text is not None:
            src = source_line(path, line)
            return src is not None and self.text in src
        if self.regex is not None:
            src = source_line(path, line)
            return src is not None and self.regex.search(src) is not None
        return True


class Deviation:
    def __init__(self, ident, kind, tool, rules, places, justification, where):
        self.id, self.kind, self.tool = ident, kind, tool
        self.rules = rules
        self.places = [Place(p) for p in places]
        self.justification = justification
        self.where = where
        self.used = 0

    def matches(self, tool, rule, path, line):
        if tool != self.tool:
            return False
        if not any(r == "*" or fnmatch.fnmatchcase(rule, r) for r in self.rules):
            return False
        return any(p.matches(path, line) for p in self.places)

    def as_dict(self):
        return {"id": self.id, "kind": self.kind, "tool": self.tool, "rules": self.rules,
                "places": [p.spec for p in self.places],
                "justification": self.justification, "matched": self.used}


# deviation: a Required (or Advisory) rule not followed at the places given,
#   for the reason given (MISRA Compliance:2020 deviation record);
# disapplied: an Advisory rule the project does not apply (guideline
#   re-categorization plan), places normally "*";
# false-positive: the tool reports something that is not a violation.
KINDS = ("deviation", "disapplied", "false-positive")


def load_deviations(path=DEVIATIONS):
    """Rows of the deviations tables: | ID | Kind | Tool | Rule(s) | Place(s) | Justification |
    Rules and places are comma-separated. Returns (deviations, problems)."""
    devs, problems = [], []
    if not os.path.exists(path):
        return devs, ["%s missing" % path]
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            cells = split_row(line)
            if not cells or not re.match(r"^DEV-\d+$", cells[0]):
                continue
            where = "%s:%d" % (path, n)
            if len(cells) != 6:
                problems.append("%s: expected 6 cells, got %d" % (where, len(cells)))
                continue
            ident, kind, tool, rules, places, just = cells
            kind = kind.lower()
            rules = [r.strip().strip("`") for r in rules.split(",") if r.strip()]
            places = split_places(places)
            if kind not in KINDS:
                problems.append("%s: kind must be one of %s" % (where, ", ".join(KINDS)))
            if tool not in ("misra", "cppcheck", "clang-tidy", "warning"):
                problems.append("%s: unknown tool %s" % (where, tool))
            if len(just) < 20:
                problems.append("%s: %s has no real justification" % (where, ident))
            if tool == "misra":
                for r in rules:
                    cat = misra_category(r)
                    if cat == "Mandatory" and kind != "false-positive":
                        problems.append("%s: %s deviates Mandatory rule %s (not permitted)"
                                        % (where, ident, r))
                    if kind == "disapplied" and cat != "Advisory":
                        problems.append("%s: %s disapplies %s rule %s (only Advisory may be)"
                                        % (where, ident, cat, r))
            if any(d.id == ident for d in devs):
                problems.append("%s: duplicate ID %s" % (where, ident))
            devs.append(Deviation(ident, kind, tool, rules, places, just, where))
    return devs, problems


def split_places(cell):
    """Comma-separated places; commas inside `...` do not split, and a
    :/regex/ place runs to the end of the cell (it must come last)."""
    out, cur, quoted = [], "", False
    for i, ch in enumerate(cell):
        if ch == "`":
            quoted = not quoted
        if not quoted and cell.startswith(":/", i):
            cur += cell[i:]
            break
        if ch == "," and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def justify(devs, tool, rule, path, line):
    for d in devs:
        if d.matches(tool, rule, path, line):
            d.used += 1
            return d
    return None


_src_cache = {}


def source(path):
    if path not in _src_cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                _src_cache[path] = f.read().split("\n")
        except OSError:
            _src_cache[path] = []
    return _src_cache[path]


def source_line(path, line):
    lines = source(path)
    return lines[line - 1] if 0 < line <= len(lines) else None


_func_cache = {}


def functions(path):
    """(name, first line, last line) of each function definition, for keel's
    style: the definition starts in column 0, its body opens with '{' alone in
    column 0 and closes with '}' in column 0."""
    if path in _func_cache:
        return _func_cache[path]
    lines = source(path)
    out = []
    i = 0
    while i < len(lines):
        # A whole definition on one line: "static int f(int x) { return x; }".
        m = re.match(r"^[A-Za-z_][^;{]*?\b([A-Za-z_]\w*)\s*\([^;]*\)\s*\{.*\}\s*$", lines[i])
        if m:
            out.append((m.group(1), i + 1, i + 1))
            i += 1
            continue
        if lines[i] == "{":
            # Walk back to the line holding the name: the first line of the
            # declarator, in column 0, not a comment or preprocessor line.
            j = i - 1
            while j > 0 and (lines[j].startswith((" ", "\t")) or lines[j] == ""):
                j -= 1
            head = " ".join(l.strip() for l in lines[j:i])
            m = re.search(r"([A-Za-z_]\w*)\s*\(", head)
            k = i + 1
            while k < len(lines) and not lines[k].startswith("}"):
                k += 1
            if m:
                out.append((m.group(1), j + 1, k + 1))
            i = k
        i += 1
    _func_cache[path] = out
    return out


def function_at(path, line):
    for name, first, last in functions(path):
        if first <= line <= last:
            return name
    return None


def area_of(path):
    """Reporting area of a source file: src/<dir> or src/main.c."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "src":
        return "src/" + parts[1]
    return path


def html_escape(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
