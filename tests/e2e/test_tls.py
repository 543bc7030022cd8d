"""TLS: the emulator serves https with a certificate made here, signed by a CA made here.

Certificates are verified by default and a certificate the system does not trust is refused with a
readable message; ``ca_path`` makes it trusted; ``validate_certs: false`` works, with a warning.
"""

import datetime
import ipaddress

import pytest

pytestmark = pytest.mark.slow


def make_certificates(directory):
    """A CA, and a server certificate it signs for 127.0.0.1 and localhost: (ca file, cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "victorops.oncall test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_file, cert_file, key_file


@pytest.fixture
def https_emulator(tmp_path):
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    ca_file, cert_file, key_file = make_certificates(tmp_path)
    emu = Emulator(window=1.0, tls=(str(cert_file), str(key_file)))
    emu.start()
    try:
        yield emu, ca_file
    finally:
        emu.stop()


def test_certificates_are_verified_and_ca_path_or_validate_certs_false_let_the_run_through(https_emulator, run_playbook):
    emu, ca_file = https_emulator
    assert emu.url.startswith("https://127.0.0.1:")
    run = run_playbook(
        """
    - name: default verification
      victorops.oncall.victorops_policy_info: {types: [timeouts]}
      ignore_errors: true
    - name: write refused by default verification
      victorops.oncall.victorops_oncall_override: {policy: pol-Hs7opsDemoPol001, from_user: asmith, to_user: bwong}
      ignore_errors: true
    - name: trusted through ca_path
      victorops.oncall.victorops_policy_info: {types: [timeouts], ca_path: "%s"}
    - name: write trusted through ca_path
      victorops.oncall.victorops_oncall_override: {policy: pol-Hs7opsDemoPol001, from_user: asmith, to_user: bwong, ca_path: "%s"}
    - name: verification off
      victorops.oncall.victorops_policy_info: {types: [timeouts], validate_certs: false}
    """
        % (ca_file, ca_file),
        env={"VICTOROPS_API_URL": emu.url},
    )
    assert run.rc == 0, run
    assert "Traceback" not in run.stdout + run.stderr

    for task, method, path in (
        ("default verification", "GET", "/api-public/v1/policies/types/timeouts"),
        ("write refused by default verification", "GET", "/api-public/v1/oncall/current"),
    ):
        assert run.status(task) == "failed", run
        result = run.result(task)
        msg = result["msg"]
        assert msg.startswith("%s %s%s: TLS failure: " % (method, emu.url, path)), msg
        assert "CERTIFICATE_VERIFY_FAILED" in msg, msg
        assert msg.endswith(
            "; not retried. Check the certificate of the API, set ca_path to the CA bundle that signs it, "
            "or (against a local emulator only) set validate_certs to false"
        ), msg
        assert "Traceback" not in result.get("exception", "")
        assert result["api"]["calls"] == 1 and result["api"]["retries"] == 0  # not retried
    # The refused handshakes never reached the API: only the three trusted runs' requests are logged.
    assert [(e["method"], e["path"]) for e in emu.log] == [
        ("GET", "/api-public/v1/policies/types/timeouts"),
        ("GET", "/api-public/v1/oncall/current"),
        ("PATCH", "/api-public/v1/policies/pol-Hs7opsDemoPol001/oncall/user"),
        ("GET", "/api-public/v1/policies/types/timeouts"),
    ]

    trusted = run.result("trusted through ca_path")
    assert run.status("trusted through ca_path") == "ok"
    assert [t["type"] for t in trusted["timeout_types"]] == [1, 5, 10, 15, 20, 25, 30, 45, 60]
    assert not [w for w in trusted.get("warnings", []) if "validate_certs" in w]
    assert run.result("write trusted through ca_path")["changed"] is True
    assert emu.state["oncall"]["pol-Hs7opsDemoPol001"] == ["bwong"]

    off = run.result("verification off")
    assert run.status("verification off") == "ok"
    assert off["timeout_types"] == trusted["timeout_types"]
    assert off["warnings"] == ["validate_certs is false: the API's TLS certificate is not verified."]
