"""Field encryption (MultiFernet, key rotation) and the blind index (DESIGN principle 8)."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from fazhan.people import crypto

NUMBER = "11010519491231002X"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_it_round_trips():
    token = crypto.encrypt(NUMBER)
    assert NUMBER not in token
    assert crypto.decrypt(token) == NUMBER


def test_it_encrypts_the_same_number_differently_each_time():
    assert crypto.encrypt(NUMBER) != crypto.encrypt(NUMBER)


def test_it_still_decrypts_with_an_old_key_after_rotation():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        old_token = crypto.encrypt(NUMBER)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert crypto.decrypt(old_token) == NUMBER
        new_token = crypto.rotate(old_token)
        # New encryptions use the newest key: they open without the old one.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert crypto.decrypt(new_token) == NUMBER
        with pytest.raises(InvalidToken):
            crypto.decrypt(old_token)


def test_it_refuses_a_token_under_an_unknown_key():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        token = crypto.encrypt(NUMBER)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(InvalidToken):
        crypto.decrypt(token)


@pytest.mark.parametrize("keys", [[], ["not-a-key"]], ids=["empty", "malformed"])
def test_it_refuses_bad_key_settings(keys):
    with override_settings(FIELD_ENCRYPTION_KEYS=keys), pytest.raises(ImproperlyConfigured):
        crypto.encrypt(NUMBER)


def test_it_indexes_equal_numbers_equally_and_others_not():
    assert crypto.blind_index(NUMBER) == crypto.blind_index(NUMBER)
    assert crypto.blind_index(NUMBER) != crypto.blind_index("440524188001010014")
    assert len(crypto.blind_index(NUMBER)) == 64
    assert NUMBER not in crypto.blind_index(NUMBER)


def test_it_keeps_the_index_apart_from_the_encryption_keys():
    before = crypto.blind_index(NUMBER)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert crypto.blind_index(NUMBER) == before
    with override_settings(BLIND_INDEX_KEY="another-index-key"):
        assert crypto.blind_index(NUMBER) != before
