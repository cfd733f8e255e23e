"""The keyed hash behind exact look-ups and uniqueness: its bytes must never change, or every
stored ID number and phone would stop matching."""

import hashlib
import hmac

from gonghui.core import pii


def test_the_blind_index_is_the_keyed_sha256_it_always_was():
    key = pii.keys().hash_key
    expected = hmac.new(key, b"id:110105194912310021", hashlib.sha256).digest()
    assert pii.blind_index("id", "110105194912310021") == expected
