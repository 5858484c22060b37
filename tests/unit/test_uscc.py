"""The unified social credit code of GB 32100-2015 (shared/uscc.py): the check character of real codes, and each
way a code can be wrong."""

from __future__ import annotations

import pytest

from shared import uscc
from shared.i18n import text


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the example of GB 32100-2015
        "914403001922038216",  # an enterprise's code as printed on its business licence
    ],
)
def test_real_codes_have_their_check_character(code):
    assert uscc.check_character(code[:17]) == code[17]
    assert uscc.problem(code) is None and uscc.is_valid(code)


def test_the_weights_are_powers_of_three_modulo_31():
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_a_remainder_of_zero_gives_the_character_0():
    assert uscc.check_character("0" * 17) == "0"  # 31 - 0 = 31, which is 0
    assert uscc.problem("0" * 18) is None


def test_every_single_changed_character_is_caught():
    code = "91350100M000100Y43"
    for i in range(17):
        for ch in uscc.CHARSET:
            if ch != code[i]:
                assert uscc.problem(code[:i] + ch + code[i + 1 :]) is not None, (i, ch)


def test_wrong_codes_say_why_in_chinese():
    assert "校验码" in text(uscc.problem("91350100M000100Y44"), "zh_CN")
    assert "18" in text(uscc.problem("91350100M000100Y4"), "zh_CN")
    assert uscc.problem("91350100M000100YI3") is not None  # I is not in the set
    assert uscc.problem(None) is not None


def test_a_code_is_normalised_as_written_on_a_certificate():
    assert uscc.normalise(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert uscc.normalise("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


def test_seventeen_characters_of_the_set_are_needed():
    with pytest.raises(ValueError):
        uscc.check_character("9135010")
