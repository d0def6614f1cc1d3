"""Character vocabulary, text corpora and token windows."""

from __future__ import annotations

import numpy as np
import pytest

from dljax.config import DataConfig
from dljax.data import text
from dljax.data.registry import load_dataset
from dljax.errors import DljaxError


def test_vocabulary_is_sorted_and_round_trips():
    vocab = text.Vocabulary.from_text("halo, dunia! ñé 日本")
    assert vocab.chars == "".join(sorted(set("halo, dunia! ñé 日本")))
    ids = vocab.encode("dunia")
    assert ids.dtype == np.int32
    assert ids.tolist() == [vocab.chars.index(c) for c in "dunia"]
    for s in ["", "halo", "ñé 日本, halo!"]:
        assert vocab.decode(vocab.encode(s)) == s
    assert vocab.decode(np.array([[vocab.chars.index("h")], [vocab.chars.index("a")]])) == "ha"


def test_unknown_character_error_names_it():
    vocab = text.Vocabulary.from_text("abc")
    with pytest.raises(DljaxError, match=r"posisi 2: 'z' \(U\+007A\)"):
        vocab.encode("abzc")
    with pytest.raises(DljaxError, match="U\\+00E9"):
        vocab.encode("é")  # beyond the largest code point
    with pytest.raises(DljaxError, match="0..2"):
        vocab.decode([0, 3])


def test_windows_are_next_character_pairs():
    tokens = np.arange(10, dtype=np.int32)
    w = text.windows(tokens, 3)
    assert w.shape == (7, 4)
    assert w[0].tolist() == [0, 1, 2, 3] and w[-1].tolist() == [6, 7, 8, 9]
    assert text.windows(tokens, 3, stride=3).tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    assert text.window_stride(1000, 9, budget=10**9) == 1
    assert text.window_stride(1000, 9, budget=4 * 991 * 10 // 4) == 4


def test_embedded_corpus_dataset():
    ds = load_dataset(DataConfig(name="text"))
    assert isinstance(ds, text.TextDataset)
    corpus = text.embedded_corpus()
    assert len(corpus) > 5000 and "JAX" in corpus
    assert ds.info.kind == "text" and ds.info.num_classes == ds.vocab.size
    assert ds.info.input_shape == (text.DEFAULT_SEQ_LEN,)
    tokens = ds.train.arrays["tokens"]
    assert tokens.shape[1] == text.DEFAULT_SEQ_LEN + 1 and tokens.dtype == np.int32
    assert ds.vocab.decode(tokens[0]) == corpus[: text.DEFAULT_SEQ_LEN + 1]
    # Consecutive windows shift by one character; test windows come from the last 10 %.
    np.testing.assert_array_equal(tokens[1, :-1], tokens[0, 1:])
    n_test = int(len(corpus) * text.TEST_FRACTION)
    assert ds.vocab.decode(ds.test.arrays["tokens"][0]) == corpus[len(corpus) - n_test :][:65]


def test_text_file_and_seq_len(tmp_path):
    path = tmp_path / "puisi.txt"
    body = "Aku ini binatang jalang, dari kumpulannya terbuang. " * 20
    path.write_text(body, encoding="utf-8")
    ds = load_dataset(DataConfig(name="text", text=str(path), seq_len=16))
    assert ds.train.arrays["tokens"].shape == (len(body) - len(body) // 10 - 16, 17)
    assert set(ds.vocab.chars) == set(body)


def test_text_errors(tmp_path):
    with pytest.raises(DljaxError, match="tidak ditemukan"):
        load_dataset(DataConfig(name="text", text=str(tmp_path / "none.txt")))
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9 ".encode("latin-1") * 100)
    with pytest.raises(DljaxError, match="bukan teks UTF-8.*byte ke-3"):
        load_dataset(DataConfig(name="text", text=str(bad)))
    short = tmp_path / "short.txt"
    short.write_text("pendek sekali", encoding="utf-8")
    with pytest.raises(DljaxError, match="terlalu pendek"):
        load_dataset(DataConfig(name="text", text=str(short)))


def test_chairil_anwar_text_falls_back_from_shared_file_to_download_to_embedded(
    monkeypatch, tmp_path
):
    from dljax.data import text
    from dljax.data.download import DownloadError

    poem = tmp_path / "chairilanwar.txt"
    poem.write_text("Aku ini binatang jalang\n", encoding="utf-8")
    monkeypatch.setattr(text, "find_shared_file", lambda name: poem)
    got, source = text.chairil_anwar_text()
    assert got.startswith("Aku ini") and "berkas kursus" in source

    monkeypatch.setattr(text, "find_shared_file", lambda name: None)
    monkeypatch.setattr(text, "fetch", lambda remote, progress: {"chairilanwar.txt": poem})
    got, source = text.chairil_anwar_text()
    assert got.startswith("Aku ini") and "unduhan" in source

    def offline(remote, progress):
        raise DownloadError("tidak ada koneksi internet")

    monkeypatch.setattr(text, "fetch", offline)
    got, source = text.chairil_anwar_text()
    assert got == text.embedded_corpus() and "bawaan" in source
    got, source = text.chairil_anwar_text(download=False)
    assert "bawaan" in source


def test_pinned_chairil_download_has_the_md5_of_the_course_copy():
    from dljax.data import text
    from dljax.data.download import file_md5
    from dljax.lesson import find_shared_file

    path = find_shared_file("chairilanwar.txt")
    if path is None:
        pytest.skip("shared/data/chairilanwar.txt tidak ada di mesin ini")
    assert file_md5(path) == text.CHAIRIL_REMOTE.files[0].md5
