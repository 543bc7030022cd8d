# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS serving: https with the given certificate; a client that does not trust it, or speaks plain HTTP, gets no answer."""

import datetime
import ipaddress

import pytest
import requests

HEADERS = {"X-VO-Api-Id": "demo-api-id", "X-VO-Api-Key": "demo-api-key"}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_tls(make_emulator, certificate):
    emulator, _call = make_emulator(limits="off", tls=certificate)
    assert emulator.url.startswith("https://127.0.0.1:")
    response = requests.get(emulator.url + "/api-public/v1/profile/jdoe/policies", headers=HEADERS, verify=certificate[0], timeout=5)
    assert response.status_code == 200
    assert response.json()["steps"] == emulator.paging_policy("jdoe")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.url + "/api-public/v1/user", headers=HEADERS, timeout=5)
    # A plain-HTTP client gets no answer, and the server keeps serving.
    with pytest.raises(requests.ConnectionError):
        requests.get(emulator.url.replace("https", "http") + "/api-public/v1/user", headers=HEADERS, timeout=5)
    assert requests.get(emulator.url + "/api-public/v1/user", headers=HEADERS, verify=certificate[0], timeout=5).status_code == 200
