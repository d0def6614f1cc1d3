"""What every chapter's exercise-checker tests share."""

import pytest


def unanswered(*args):
    """A learner's function that is still the `...` placeholder."""
    return None


@pytest.fixture
def assert_checker(capsys):
    """`assert_checker(check, right, wrong)`: the checker accepts the right answer with
    "benar" and refuses a wrong or unanswered one with "belum tepat"."""

    def run(check, right, wrong):
        assert check(right) is True
        assert "benar" in capsys.readouterr().out
        assert check(wrong) is False
        assert check(unanswered) is False
        assert "belum tepat" in capsys.readouterr().out

    return run


@pytest.fixture
def checker_names():
    """`checker_names(module)`: the `check_*` functions a module defines itself."""

    def names(module) -> set[str]:
        return {
            n
            for n in dir(module)
            if n.startswith("check_") and getattr(module, n).__module__ == module.__name__
        }

    return names
