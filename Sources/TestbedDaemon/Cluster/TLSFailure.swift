import NIOSSL

/// BoringSSL's reasons for a failed handshake, in words a person can act on.
enum TLSFailure {
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        let reasons: [(String, String)] = [
            ("WRONG_VERSION_NUMBER", "the peer does not speak TLS (plaintext?)"),
            ("HTTP_REQUEST", "the peer sent HTTP, not TLS"),
            ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "the peer presented no certificate"),
            ("CERTIFICATE_REQUIRED", "this node's certificate was not accepted: the peer requires one it trusts"),
            ("BAD_SIGNATURE", "the certificate was not signed by the cluster CA"),
            ("TLSV1_ALERT_UNKNOWN_CA", "the peer does not trust this node's CA"),
            ("SSLV3_ALERT_CERTIFICATE_EXPIRED", "the peer finds this node's certificate expired"),
            ("SSLV3_ALERT_BAD_CERTIFICATE", "the peer refused this node's certificate"),
            ("SSLV3_ALERT_CERTIFICATE_REVOKED", "the peer finds this node's certificate revoked"),
            ("CERTIFICATE_VERIFY_FAILED", "the certificate did not verify against the cluster CA (expired, not yet valid, from another CA, or not for TLS client and server use)"),
            ("UNSUPPORTED_PROTOCOL", "the peer offered a TLS version older than 1.2"),
        ]
        if let (_, sentence) = reasons.first(where: { text.contains($0.0) }) { return sentence }
        if case NIOSSLError.uncleanShutdown = error { return "the peer closed the connection during the handshake" }
        return text
    }
}
