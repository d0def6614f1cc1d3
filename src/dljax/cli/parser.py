"""The `dljax` command line: its parser, in Indonesian (argparse's own strings too)."""

from __future__ import annotations

import argparse

# argparse's own strings, in Indonesian (argparse looks them up through its gettext `_`).
_ARGPARSE_ID = {
    "usage: ": "penggunaan: ",
    "positional arguments": "argumen posisi",
    "options": "opsi",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak dikenal: %(value)r (pilih dari %(choices)s)"
    ),
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "expected one argument": "butuh satu nilai",
    "expected at least one argument": "butuh paling sedikit satu nilai",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak valid: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opsi ambigu: %(option)s bisa berarti %(matches)s"
    ),
}


def _install_argparse_translation() -> None:
    original = argparse._  # gettext.gettext

    def translate(message: str) -> str:
        return _ARGPARSE_ID.get(message, original(message))

    argparse._ = translate


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every `dljax` command (the site's command pages are made from it)."""
    _install_argparse_translation()
    parser = _Parser(
        prog="dljax",
        description="Deep Learning dengan JAX 101: latih setiap model kursus dari baris perintah.",
        epilog="Contoh:\n  dljax list\n  dljax train mlp\n  dljax train cnn --epochs 10\n"
        "  dljax eval runs/mlp-digits\n"
        "  dljax train cnn --dataset folder --data-dir gambar/\n"
        "  dljax predict runs/cnn-folder foto.jpg\n"
        "  dljax train gan\n  dljax sample runs/gan-digits --out grid.png",
    )
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH", required=True)

    sub.add_parser(
        "list",
        help="daftar model, dataset dan preset",
        description="Daftar model, dataset dan preset yang tersedia.",
    )

    t = sub.add_parser(
        "train",
        help="latih sebuah model",
        description="Latih MODEL dan tulis direktori run (config, metrik, plot, checkpoint, "
        "bobot, log TensorBoard di RUN_DIR/tensorboard/: lihat semua run dengan "
        "`tensorboard --logdir runs`, matikan dengan --set train.tensorboard=false).",
    )
    t.add_argument("model", metavar="MODEL", help="nama model (lihat `dljax list`)")
    t.add_argument(
        "--dataset",
        metavar="NAMA",
        help="dataset (bawaan: digits); folder = gambar sendiri dari --data-dir",
    )
    t.add_argument("--epochs", type=int, metavar="N", help="jumlah epoch")
    t.add_argument("--batch-size", type=int, metavar="N", help="ukuran batch")
    t.add_argument("--lr", type=float, metavar="X", help="learning rate")
    t.add_argument("--seed", type=int, metavar="N", help="seed acak (hasil dapat diulang)")
    t.add_argument("--preset", metavar="NAMA", help="tiny (uji cepat), default (bawaan), atau full")
    t.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KUNCI=NILAI",
        help="ubah konfigurasi, mis. --set model.hidden=512,256 (boleh berulang)",
    )
    t.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder berkas dataset yang sudah ada; --dataset folder: satu sub-folder gambar "
        "per kelas (atau train/ dan test/), mis. gambar/kucing/1.jpg; house_prices: berkas CSV",
    )
    t.add_argument("--text", metavar="PATH", help="berkas teks UTF-8 untuk model bahasa")
    t.add_argument("--out", metavar="DIR", help="direktori run (bawaan: runs/MODEL-DATASET)")
    t.add_argument(
        "--resume",
        action="store_true",
        help="lanjutkan run yang terhenti dari checkpoint terakhirnya, dengan konfigurasi run "
        "itu sendiri (hanya --epochs yang boleh ditambah)",
    )
    t.add_argument("--quiet", action="store_true", help="tanpa progress bar")
    t.add_argument(
        "--distributed",
        action="store_true",
        help="gabung ke pelatihan multi-proses/multi-host yang dideteksi JAX (SLURM srun, "
        "Open MPI, Cloud TPU); tanpa opsi ini dljax bergabung bila JAX_COORDINATOR_ADDRESS, "
        "JAX_NUM_PROCESSES dan JAX_PROCESS_ID diset",
    )

    e = sub.add_parser(
        "eval",
        help="evaluasi ulang sebuah run",
        description="Muat ulang run dari checkpoint terakhirnya dan cetak metrik ujinya.",
    )
    e.add_argument("run_dir", metavar="RUN_DIR", help="direktori run, mis. runs/mlp-digits")

    s = sub.add_parser(
        "sample",
        help="bangkitkan sampel dari run generatif atau model bahasa",
        description="Muat sebuah run dan bangkitkan sampel dalam satu panggilan terkompilasi: "
        "grid gambar PNG untuk model gambar generatif (gan, dcgan, cgan, vae, autoencoder, "
        "ddpm, ddpm_cond; model difusi juga menerima --sampler/--steps/--eta/--guidance), "
        "atau teks setelah --prompt untuk model bahasa (char_lstm, gpt), karakter demi karakter "
        "dengan state LSTM atau cache kunci/nilai GPT yang dibawa maju (waktu linear terhadap "
        "panjang).",
    )
    s.add_argument("run_dir", metavar="RUN_DIR", help="direktori run, mis. runs/char_lstm-text")
    s.add_argument("--prompt", default="Aku", help="teks awal (bawaan: Aku)")
    s.add_argument("--length", type=int, default=500, metavar="N", help="jumlah karakter baru")
    s.add_argument(
        "--temperature",
        type=float,
        default=1.0,
        metavar="T",
        help="suhu sampling; 0 = selalu karakter paling mungkin",
    )
    s.add_argument(
        "--top-k",
        type=int,
        default=0,
        metavar="K",
        help="ambil hanya dari K karakter teratas (0 = semua)",
    )
    s.add_argument("--seed", type=int, default=0, metavar="N", help="seed acak")
    s.add_argument("--n", type=int, default=64, metavar="N", help="model gambar: jumlah sampel")
    s.add_argument(
        "--label",
        type=int,
        metavar="K",
        help="model bersyarat (cgan): kelas yang dibangkitkan (bawaan: satu baris per kelas)",
    )
    s.add_argument(
        "--out",
        metavar="PNG",
        help="model gambar: berkas grid (bawaan: NAMA_RUN-sampel.png di folder ini)",
    )
    # sampler options: only tasks that list them take them (model difusi: ddpm, ddpm_cond)
    s.add_argument(
        "--sampler",
        choices=("ddim", "ddpm"),
        help="model difusi: ddim (S langkah) atau ddpm (T langkah) (bawaan: pilihan run)",
    )
    s.add_argument(
        "--steps", type=int, metavar="S", help="model difusi: jumlah langkah DDIM, mis. 20"
    )
    s.add_argument(
        "--eta",
        type=float,
        metavar="ETA",
        help="model difusi: derau DDIM; 0 = deterministik, 1 = variansi posterior DDPM",
    )
    s.add_argument(
        "--guidance",
        type=float,
        metavar="W",
        help="model difusi bersyarat: skala classifier-free guidance w, mis. 3",
    )
    s.add_argument(
        "--trajectory",
        action="store_true",
        help="model difusi: tulis juga GIF x_t sepanjang proses balik (NAMA.gif)",
    )

    p = sub.add_parser(
        "predict",
        help="tebak kelas gambar dengan run classifier",
        description="Cetak K kelas paling mungkin (dengan peluangnya) untuk setiap gambar, "
        "dari run classifier gambar (cnn, mlp, lenet5, vgg, resnet, vit). Gambar diubah ke "
        "ukuran dan kanal masukan run dan diskalakan persis seperti data latihnya; nama kelas "
        "dari data.json run, jadi data latihnya tidak dibutuhkan lagi. Run generatif atau "
        "model bahasa: pakai `dljax sample`.",
        epilog="Contoh:\n  dljax predict runs/cnn-folder foto1.jpg foto2.png\n"
        "  dljax predict runs/cnn-digits gambar_baru/ --top-k 1 --json",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="direktori run, mis. runs/cnn-folder")
    p.add_argument(
        "files", nargs="+", metavar="BERKAS", help="gambar PNG/JPEG/BMP/GIF, atau folder gambar"
    )
    p.add_argument(
        "--top-k", type=int, default=3, metavar="K", help="kelas teratas per gambar (bawaan: 3)"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="keluaran JSON: run, model, dataset, input_shape, classes, predictions (file, "
        "top: class, index, probability)",
    )

    d = sub.add_parser(
        "data",
        help="kelola dataset (daftar, unduh, periksa, lokasi)",
        description="Kelola dataset: list (daftar dan status cache), download NAMA, "
        "verify NAMA (periksa checksum), path NAMA (di mana berkasnya disimpan).",
    )
    d.add_argument(
        "action",
        choices=("list", "download", "verify", "path"),
        metavar="AKSI",
        help="list, download, verify, atau path",
    )
    d.add_argument("name", nargs="?", metavar="NAMA", help="nama dataset, mis. mnist")
    d.add_argument("--data-dir", metavar="DIR", help="folder data (bawaan: $DLJAX_DATA)")
    return parser
