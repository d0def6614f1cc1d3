"""Text corpora for character language models: a vocabulary and windows of token ids.

A `Vocabulary` maps each distinct character of a corpus to an id (sorted by code point) and
back; `encode` and `decode` are vectorized (through UTF-32 code points) and round-trip
exactly. Encoding a character that is not in the vocabulary raises a clear error.

The `text` dataset cuts a corpus into windows of `seq_len + 1` token ids (`{"tokens":
int32 (seq_len + 1,)}`): the model reads the first `seq_len` and predicts the last
`seq_len`. The last 10 % of the text is the test split, so no window crosses the split. The
corpus is `--text PATH` (any UTF-8 file) or, offline, the embedded Indonesian corpus in
`dljax/data/corpus/`: `kursus.txt`, prose written for this course, then `pelajaran.txt`, the
prose of the lessons themselves (built by `dljax.data.lesson_corpus`, `make corpus`).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np

from dljax.data.base import ArraySource, Dataset, DatasetInfo
from dljax.data.download import RemoteDataset, RemoteFile, fetch
from dljax.data.shared import find_shared_file
from dljax.errors import DljaxError

DEFAULT_SEQ_LEN = 64
TEST_FRACTION = 0.1
MAX_WINDOW_BYTES = 256 * 1024**2  # windows are strided so that the stacked splits stay small
CORPUS_FILES = ("kursus.txt", "pelajaran.txt")  # pelajaran.txt: `make corpus`


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


class Vocabulary:
    """The characters of a corpus, sorted by code point; id `i` is `chars[i]`."""

    def __init__(self, chars: str | list[str]):
        chars = sorted(set(chars))
        if not chars or any(len(c) != 1 for c in chars):
            raise ValueError("A vocabulary needs one or more single characters.")
        self.chars = "".join(chars)
        self._points = _code_points(self.chars)  # sorted, unique, (V,)

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        return cls(sorted(set(text)))

    @property
    def size(self) -> int:
        return len(self.chars)

    def __len__(self) -> int:
        return self.size

    def __contains__(self, char: str) -> bool:
        return char in self.chars

    def encode(self, text: str) -> np.ndarray:
        """text -> int32 ids (len(text),); raises `DljaxError` on an unknown character."""
        points = _code_points(text)
        ids = np.searchsorted(self._points, points)  # (N,)
        ids_clipped = np.minimum(ids, self.size - 1)
        unknown = self._points[ids_clipped] != points
        if unknown.any():
            bad = sorted({chr(p) for p in points[unknown]})
            first = int(np.argmax(unknown))
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in bad[:10])
            raise DljaxError(
                f"Teks berisi {len(bad)} karakter yang tidak ada di kosakata ({self.size} "
                f"karakter), pertama di posisi {first}: {shown}. Pakai hanya karakter dari "
                "korpus pelatihan, atau latih ulang dengan --text berisi karakter itu."
            )
        return ids.astype(np.int32)

    def decode(self, ids) -> str:
        """int ids (any shape, flattened) -> text."""
        ids = np.asarray(ids).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise DljaxError(
                f"Id token di luar kosakata: harus 0..{self.size - 1}, ada {int(ids.min())}.."
                f"{int(ids.max())}."
            )
        return self._points[ids].astype("<u4").tobytes().decode("utf-32-le")

    def __repr__(self) -> str:
        return f"Vocabulary(size={self.size})"


class TextDataset(Dataset):
    """A `Dataset` of token windows that also carries its `vocab`."""

    def __init__(
        self,
        info: DatasetInfo,
        train,
        test,
        vocab: Vocabulary,
        seq_len: int,
        sha256: str | None = None,
    ):
        super().__init__(info=info, train=train, test=test)
        self.vocab = vocab
        self.seq_len = seq_len
        self.sha256 = sha256  # of the corpus (UTF-8): a run's data.json records it


def embedded_corpus() -> str:
    """The embedded Indonesian corpus: prose about this course, then the lessons' prose."""
    folder = resources.files("dljax.data") / "corpus"
    return "\n".join(folder.joinpath(name).read_text("utf-8") for name in CORPUS_FILES)


def read_text_file(path: str | Path) -> str:
    """A UTF-8 text file; clear errors for a missing file or invalid UTF-8."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise DljaxError(
            f"--text {str(path)!r}: berkas tidak ditemukan. Berikan jalur ke berkas teks "
            "UTF-8, atau hilangkan --text untuk memakai korpus bawaan."
        )
    raw = p.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DljaxError(
            f"--text {str(path)!r} bukan teks UTF-8 yang valid (byte ke-{e.start}: "
            f"{raw[e.start : e.start + 1].hex()}). Simpan ulang berkas itu sebagai UTF-8."
        ) from None


def windows(tokens: np.ndarray, seq_len: int, stride: int = 1) -> np.ndarray:
    """All windows of `seq_len + 1` tokens starting every `stride` positions.

    tokens (N,) -> (W, seq_len + 1) with W = (N - seq_len - 1) // stride + 1; a strided view.
    """
    view = np.lib.stride_tricks.sliding_window_view(tokens, seq_len + 1)  # (N - seq_len, L)
    return view[::stride]


def window_stride(num_tokens: int, seq_len: int, budget: int = MAX_WINDOW_BYTES) -> int:
    """1, or larger when stacking every window would exceed `budget` bytes of int32."""
    full = max(1, num_tokens - seq_len) * (seq_len + 1) * 4
    return max(1, -(-full // budget))


def char_dataset(
    text: str, *, seq_len: int = DEFAULT_SEQ_LEN, name: str = "text", stride: int = 1
) -> TextDataset:
    """Windows of a character-encoded `text`, split 90/10 at a fixed position; a window starts
    every `stride` characters (more when the windows would not fit in memory)."""
    if seq_len < 1:
        raise DljaxError(f"data.seq_len={seq_len} harus >= 1 (mis. --set data.seq_len=64).")
    vocab = Vocabulary.from_text(text) if text else None
    n = len(text)
    n_test = int(n * TEST_FRACTION)
    if vocab is None or min(n - n_test, n_test) < seq_len + 1:
        raise DljaxError(
            f"Teks terlalu pendek ({n} karakter) untuk data.seq_len={seq_len}: bagian uji (10 %) "
            f"dan bagian latih masing-masing butuh minimal {seq_len + 1} karakter. Pakai teks "
            f"yang lebih panjang (minimal {10 * (seq_len + 1)} karakter) atau seq_len lebih kecil."
        )
    tokens = vocab.encode(text)  # (N,)
    stride = max(stride, window_stride(n, seq_len))
    train = windows(tokens[: n - n_test], seq_len, stride)
    test = windows(tokens[n - n_test :], seq_len, stride)
    return TextDataset(
        _info(name, vocab, seq_len),
        ArraySource({"tokens": np.ascontiguousarray(train)}),
        ArraySource({"tokens": np.ascontiguousarray(test)}),
        vocab,
        seq_len,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _info(name: str, vocab: Vocabulary, seq_len: int) -> DatasetInfo:
    return DatasetInfo(
        name=name,
        description=TEXT_DESCRIPTION,
        kind="text",
        input_shape=(seq_len,),
        num_classes=vocab.size,
        class_names=tuple(vocab.chars),
    )


def vocab_dataset(chars: str, seq_len: int, batch_size: int, name: str = "text") -> TextDataset:
    """A stand-in dataset with a saved vocabulary and no text (placeholder windows of id 0).

    A language-model run reloads from it to sample without its corpus; it is not for
    training or evaluation.
    """
    if not isinstance(chars, str) or not chars or not isinstance(seq_len, int) or seq_len < 1:
        raise DljaxError(
            "data.json run ini rusak (kosakata atau seq_len tidak valid). Latih ulang run ini."
        )
    vocab = Vocabulary(list(chars))
    placeholder = np.zeros((max(1, batch_size), seq_len + 1), np.int32)  # (B, seq_len + 1)
    source = ArraySource({"tokens": placeholder})
    return TextDataset(_info(name, vocab, seq_len), source, source, vocab, seq_len)


TEXT_DESCRIPTION = (
    "Teks untuk model bahasa tingkat karakter: --text BERKAS (UTF-8) atau korpus Indonesia "
    "bawaan (tanpa internet)"
)


def load(config=None) -> TextDataset:
    """The `text` dataset for a `DataConfig` (uses `text`, `seq_len` and `stride`)."""
    path = getattr(config, "text", None)
    seq_len = getattr(config, "seq_len", 0) or DEFAULT_SEQ_LEN
    text = read_text_file(path) if path else embedded_corpus()
    return char_dataset(text, seq_len=seq_len, stride=getattr(config, "stride", 0) or 1)


# Chairil Anwar's poems (1922-1949; public domain in Indonesia) as used by the original
# course, pinned to one commit of the course author's repository and checked by MD5.
CHAIRIL_REMOTE = RemoteDataset(
    "chairil_anwar",
    (
        RemoteFile(
            "chairilanwar.txt",
            "8688a989b6af689474992bc451ec523d",
            (
                "https://raw.githubusercontent.com/ghif/tiny-gpt/"
                "4d93993e7551f02fc8b11c0ff1934f32beecc8c7/data/",
            ),
        ),
    ),
)


def chairil_anwar_text(*, download: bool = True) -> tuple[str, str]:
    """Chairil Anwar's poems and where they came from (Indonesian).

    The course's copy in `shared/data/` when present, else a verified download into the cache
    (when online and `download`), else the embedded corpus so that everything still runs.
    """
    path = find_shared_file("chairilanwar.txt")
    if path is not None:
        return read_text_file(path), f"berkas kursus shared/data/{path.name}"
    if download:
        try:
            paths = fetch(CHAIRIL_REMOTE, progress=False)
            return read_text_file(paths["chairilanwar.txt"]), "unduhan (MD5 terverifikasi)"
        except DljaxError:
            pass  # offline or blocked: fall back below
    return embedded_corpus(), "korpus bawaan dljax (puisi tidak tersedia tanpa internet)"
