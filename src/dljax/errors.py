"""User-facing errors. Their messages are Indonesian and say what to do."""


class DljaxError(Exception):
    """An error caused by the user's input; the CLI prints it and exits with code 2."""

    exit_code = 2


class TrainingDiverged(DljaxError):
    """The loss became NaN or Inf; the CLI prints it and exits with code 1."""

    exit_code = 1

    def __init__(self, step: int, epoch: int, value: float):
        self.step, self.epoch, self.value = step, epoch, value
        super().__init__(
            f"Loss menjadi {value} pada langkah {step} (epoch {epoch}); pelatihan dihentikan. "
            "Coba turunkan learning rate (mis. --lr 1e-4), aktifkan pemotongan gradien "
            "(--set train.grad_clip=1.0), atau periksa data masukan (nilai NaN/Inf)."
        )
