"""Comparing a run of binaryen's interpreter (`wasm-opt --fuzz-exec-before`,
binaryen 108) with a run of wrun's fuzz-exec, line by line.

binaryen prints values as text (decimal integers, shortest floats,
"-nan:0x7fff94", "i32x4 0x.. 0x.. 0x.. 0x..", "(a, b)" for several
results); fuzz-exec prints TYPE:0xBITS. Each binaryen value is read in the
type fuzz-exec names and compared as bits, except that NaNs compare as
"both NaN" unless exact_nans is set (see README.md).
"""
import struct

# binaryen 108's trap messages, by prefix, as wrun's trap kinds (fuzz-exec
# prints wrun_trap_code as these names).
TRAP_KINDS = [
    ('unreachable', 'unreachable'),
    ('final > memory', 'memory-oob'),
    ('highest > memory', 'memory-oob'),
    ('offset > memory', 'memory-oob'),
    ('out of bounds segment access in memory', 'memory-oob'),
    ('out of bounds memory access', 'memory-oob'),
    ('out of bounds segment access in table', 'table-oob'),
    ('callTable overflow', 'undefined-element'),
    ('callIndirect: function types don\'t match', 'indirect-mismatch'),
    ('callIndirect: null', 'uninitialized-element'),
    ('i32.div_s overflow', 'int-overflow'),
    ('i64.div_s overflow', 'int-overflow'),
    ('i32.truncSFloat overflow', 'int-overflow'),
    ('i32.truncUFloat overflow', 'int-overflow'),
    ('i64.truncSFloat overflow', 'int-overflow'),
    ('i64.truncUFloat overflow', 'int-overflow'),
    ('truncSFloat of nan', 'bad-conversion'),
    ('truncUFloat of nan', 'bad-conversion'),
]
for op in ('div_s', 'div_u', 'rem_s', 'rem_u'):
    for t in ('i32', 'i64'):
        TRAP_KINDS.append((f'{t}.{op} by 0', 'int-div-zero'))
# The interpreter's own call-depth limit, not the module's behaviour: what
# follows cannot be compared (wrun's stack is deeper).
HOST_LIMIT_TRAPS = ['stack limit']

CALLING = '[fuzz-exec] calling '
RESULT = '[fuzz-exec] note result: '
LOGGING = '[LoggingExternalInterface logging'
TRAP = '[trap '


class Mismatch(Exception):
    """noncanonical: the line differs by a NaN of wrun's that is not the
    canonical one (exact_nans): a deterministic-mode bug, never NaN
    freedom."""

    def __init__(self, message, noncanonical=False):
        super().__init__(message)
        self.noncanonical = noncanonical


# ---- values -------------------------------------------------------------

def f32_is_nan(bits):
    return (bits & 0x7f800000) == 0x7f800000 and (bits & 0x007fffff) != 0


def f64_is_nan(bits):
    return ((bits & 0x7ff0000000000000) == 0x7ff0000000000000 and
            (bits & 0x000fffffffffffff) != 0)


def float_bits(text, width):
    """binaryen's float text (1.5, -0, inf, 5e-324, -nan:0x7fff94) as bits."""
    exp_mask, sign = ((0x7f800000, 1 << 31) if width == 32 else
                      (0x7ff0000000000000, 1 << 63))
    quiet = (exp_mask >> 1) & ~exp_mask
    negative = text.startswith('-')
    body = text[1:] if negative else text
    if body.startswith('nan:0x'):
        bits = exp_mask | int(body[6:], 16)
    elif body == 'nan':
        bits = exp_mask | quiet
    else:
        packed = struct.pack('<f' if width == 32 else '<d', float(body))
        bits = struct.unpack('<I' if width == 32 else '<Q', packed)[0]
    return bits | sign if negative else bits


CANONICAL_NAN = {32: 0x7fc00000, 64: 0x7ff8000000000000}


class Comparison:
    """How values compare (a is binaryen's bits, b wrun's). exact_nans
    (wrun in deterministic mode): bit for bit, except that where binaryen
    has a NaN, wrun's must be the canonical one; binaryen 108's interpreter
    itself keeps host NaN bits for sqrt, nearest, ceil, floor, trunc,
    promote and demote (README.md), so its NaN bits are not a reference,
    but wrun's NaNs from arithmetic must all be canonical. Otherwise any
    two NaNs are equal."""

    def __init__(self, exact_nans):
        self.exact_nans = exact_nans
        self.noncanonical = False  # set by a failed same_float

    def same_float(self, a, b, width):
        if a == b:
            return True
        is_nan = f32_is_nan if width == 32 else f64_is_nan
        if self.exact_nans:
            if is_nan(b) and b != CANONICAL_NAN[width]:
                self.noncanonical = True
            return is_nan(a) and b == CANONICAL_NAN[width]
        return is_nan(a) and is_nan(b)

    def same_v128(self, lanes_a, lanes_b):
        """Lanes are four 32-bit integers. Without exact NaNs, lanes that
        are NaN in both (read as f32 lanes or as f64 halves) are equal:
        binaryen does not say what the lanes held."""
        if lanes_a == lanes_b:
            return True
        for half in (0, 2):
            a64 = lanes_a[half] | lanes_a[half + 1] << 32
            b64 = lanes_b[half] | lanes_b[half + 1] << 32
            if a64 == b64 or self.same_float(a64, b64, 64):
                continue
            for k in (half, half + 1):
                if not self.same_float(lanes_a[k], lanes_b[k], 32):
                    return False
        return True

    def same_value(self, binaryen, wrun):
        """binaryen's token against fuzz-exec's TYPE:0xBITS."""
        wtype, _, wbits = wrun.partition(':')
        try:
            if wtype in ('i32', 'i64'):
                mask = (1 << (32 if wtype == 'i32' else 64)) - 1
                return int(binaryen) & mask == int(wbits, 16)
            if wtype in ('f32', 'f64'):
                width = 32 if wtype == 'f32' else 64
                return self.same_float(float_bits(binaryen, width),
                                       int(wbits, 16), width)
            if wtype == 'v128':
                words = binaryen.split()
                if words[0] != 'i32x4' or len(words) != 5:
                    return False
                b_lanes = [int(w, 16) for w in words[1:]]
                w_lanes = [int(wbits[2 + 8 * k:10 + 8 * k], 16)
                           for k in range(4)]
                return self.same_v128(b_lanes, w_lanes)
        except ValueError:
            return False
        # references: binaryen prints the type only (108 says anyref for
        # externref)
        return {'anyref': 'externref'}.get(binaryen, binaryen) == wrun

    def same_values(self, b_text, w_text):
        b = binaryen_tokens(b_text)
        w = w_text.split()
        return len(b) == len(w) and all(map(self.same_value, b, w))

    def lines_agree(self, b, w):
        if b.startswith(CALLING) or w.startswith(CALLING):
            return b == w
        if b.startswith(RESULT) and w.startswith(RESULT):
            b_name, _, b_vals = b[len(RESULT):].partition(' => ')
            w_name, _, w_vals = w[len(RESULT):].partition(' => ')
            return b_name == w_name and self.same_values(b_vals, w_vals)
        if b.startswith(LOGGING) and w.startswith(LOGGING):
            return self.same_values(b[len(LOGGING):-1], w[len(LOGGING):-1])
        if b.startswith(TRAP) and w.startswith(TRAP):
            return trap_kind(b[len(TRAP):-1]) == w[len(TRAP):-1]
        return False

    def compare(self, b_text, w_text):
        """Compares the two outputs; returns (lines compared, whether
        binaryen stopped at its stack limit). Raises Mismatch."""
        b_lines, w_lines = event_lines(b_text), event_lines(w_text)
        self.noncanonical = False
        for i, b in enumerate(b_lines):
            if b.startswith(TRAP) and b[len(TRAP):-1] in HOST_LIMIT_TRAPS:
                return i, True
            if i >= len(w_lines):
                raise Mismatch(f'line {i + 1}: binaryen has {b!r}, wrun ended')
            if not self.lines_agree(b, w_lines[i]):
                raise Mismatch(f'line {i + 1}: binaryen {b!r} vs wrun '
                               f'{w_lines[i]!r}', self.noncanonical)
        if len(w_lines) > len(b_lines):
            raise Mismatch(f'line {len(b_lines) + 1}: binaryen ended, wrun '
                           f'has {w_lines[len(b_lines)]!r}')
        return len(b_lines), False


def binaryen_tokens(text):
    """Value tokens of a logging or result line: '(a, b)' for several
    results, 'i32x4 0x.. 0x.. 0x.. 0x..' for one v128."""
    text = text.strip()
    if text.startswith('(') and text.endswith(')'):
        text = text[1:-1].replace(',', ' ')
    words = text.split()
    tokens = []
    while words:
        if words[0] == 'i32x4':
            tokens.append(' '.join(words[:5]))
            words = words[5:]
        else:
            tokens.append(words.pop(0))
    return tokens


def trap_kind(message):
    for prefix, kind in TRAP_KINDS:
        if message.startswith(prefix):
            return kind
    return 'binaryen:' + message  # unknown: a mismatch; extend TRAP_KINDS


def event_lines(text):
    return [line for line in text.splitlines() if line.startswith('[')]


def count_events(text, lines):
    """(export calls, traps) among the first `lines` event lines."""
    head = event_lines(text)[:lines]
    return (sum(line.startswith(CALLING) for line in head),
            sum(line.startswith(TRAP) for line in head))
