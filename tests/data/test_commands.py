"""`dljax data list | download | verify | path`."""

from __future__ import annotations

import pytest

from dljax.data import commands
from dljax.data.download import RemoteDataset, RemoteFile
from dljax.errors import DljaxError


def test_list_shows_sizes_and_cache_state(cache, capsys):
    assert commands.run_data_command("list", None, None) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line and line[0] != " "}
    assert "mnist" in lines and "70.000" in lines["mnist"] and "belum diunduh" in lines["mnist"]
    assert "latih 50.000 / uji 10.000" in lines["cifar10"]
    assert "tanpa unduhan" in lines["spiral"] and "latih 3.000 / uji 900" in lines["spiral"]
    assert "digits" in lines and "text" in lines


def test_path_download_verify_round(cache, server, build, monkeypatch, capsys):
    server.files["/m/a.bin"] = b"A" * 10
    remote = RemoteDataset(
        "mnist", (RemoteFile("a.bin", build.md5(b"A" * 10), (server.url + "m/",)),)
    )
    monkeypatch.setitem(commands.REMOTE, "mnist", remote)
    assert commands.run_data_command("path", "mnist", None) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == str(cache / "mnist") and "a.bin" in out
    assert commands.run_data_command("verify", "mnist", None) == 1
    assert "belum ada" in capsys.readouterr().out
    assert commands.run_data_command("download", "mnist", None) == 0
    assert "checksum MD5 cocok" in capsys.readouterr().out
    assert commands.run_data_command("verify", "mnist", None) == 0
    (cache / "mnist" / "a.bin").write_bytes(b"B" * 10)
    assert commands.run_data_command("verify", "mnist", None) == 1
    assert "RUSAK" in capsys.readouterr().out
    commands.run_data_command("list", None, None)
    assert "cache rusak" in capsys.readouterr().out


def test_user_errors_list_valid_names(capsys):
    with pytest.raises(DljaxError, match="Pilihan: .*fashion_mnist"):
        commands.run_data_command("download", "imagenet", None)
    with pytest.raises(DljaxError, match="butuh nama dataset"):
        commands.run_data_command("verify", None, None)
    with pytest.raises(DljaxError, match="tidak dikenal; pilih: list, download"):
        commands.run_data_command("hapus", "mnist", None)
    assert commands.run_data_command("download", "spiral", None) == 0
    assert "tanpa unduhan" in capsys.readouterr().out
