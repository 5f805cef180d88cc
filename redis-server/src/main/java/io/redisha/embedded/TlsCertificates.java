package io.redisha.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code 127.0.0.1} and {@code localhost}, generated with
 * the JDK's {@code keytool} (no other tool needed), in PEM files for
 * {@code redis-server}: the server's certificate, its private key, and the same
 * certificate as the authority that clients and replicas trust. Valid for two days.
 */
public final class TlsCertificates {

	private static final String ALIAS = "redis";

	private static final char[] STORE_PASSWORD = "changeit".toCharArray();

	private final Path certificate;

	private final Path privateKey;

	private final KeyStore keyStore;

	private final KeyStore trustStore;

	private TlsCertificates(Path certificate, Path privateKey, KeyStore keyStore, KeyStore trustStore) {
		this.certificate = certificate;
		this.privateKey = privateKey;
		this.keyStore = keyStore;
		this.trustStore = trustStore;
	}

	/**
	 * Generates a key pair and its certificate, for 127.0.0.1 and localhost, in a new
	 * temporary directory.
	 */
	public static TlsCertificates generate() {
		return generate("ip:127.0.0.1,dns:localhost");
	}

	/**
	 * Generates a key pair and its certificate for the given subject alternative names
	 * (keytool's {@code SAN=} syntax, such as {@code dns:redis.example}), in a new
	 * temporary directory.
	 */
	public static TlsCertificates generate(String subjectAlternativeNames) {
		try {
			Path directory = Files.createTempDirectory("redis-ha-tls-");
			Path keyStoreFile = directory.resolve("server.p12");
			runKeytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
					"-dname", "CN=localhost", "-ext", "SAN=" + subjectAlternativeNames, "-ext", "bc:c", "-storetype",
					"PKCS12", "-keystore", keyStoreFile.toString(), "-storepass", new String(STORE_PASSWORD));
			KeyStore keyStore = KeyStore.getInstance("PKCS12");
			try (InputStream in = Files.newInputStream(keyStoreFile)) {
				keyStore.load(in, STORE_PASSWORD);
			}
			Certificate certificate = keyStore.getCertificate(ALIAS);
			Path certificateFile = writePem(directory.resolve("server.crt"), "CERTIFICATE", certificate.getEncoded());
			Path keyFile = writePem(directory.resolve("server.key"), "PRIVATE KEY",
					keyStore.getKey(ALIAS, STORE_PASSWORD).getEncoded());
			KeyStore trustStore = KeyStore.getInstance("PKCS12");
			trustStore.load(null, null);
			trustStore.setCertificateEntry(ALIAS, certificate);
			return new TlsCertificates(certificateFile, keyFile, keyStore, trustStore);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot generate a TLS certificate", ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot read the generated TLS certificate", ex);
		}
	}

	private static void runKeytool(String... arguments) throws IOException {
		Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
		List<String> command = new ArrayList<>(List.of(keytool.toString()));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		try {
			if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IOException("keytool failed: " + output);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while running keytool", ex);
		}
	}

	private static Path writePem(Path file, String type, byte[] der) throws IOException {
		String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
		return Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
	}

	/** The server's certificate (PEM), which is also the authority to trust. */
	public Path certificate() {
		return this.certificate;
	}

	/** The server's private key (PEM, PKCS#8, unencrypted). */
	public Path privateKey() {
		return this.privateKey;
	}

	/** A store trusting {@link #certificate()} only. */
	public KeyStore trustStore() {
		return this.trustStore;
	}

	/**
	 * Sockets that trust {@link #certificate()} only, and show it as their own
	 * certificate to a server that asks for one ({@code tls-auth-clients yes}).
	 */
	public SSLSocketFactory socketFactory() {
		try {
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(this.trustStore);
			KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keys.init(this.keyStore, STORE_PASSWORD);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
			return context.getSocketFactory();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot create a TLS context", ex);
		}
	}

	/**
	 * The {@code redis-server} arguments for TLS only on {@code port}: no plain-text
	 * port, replication over TLS, clients not asked for a certificate of their own (a
	 * later {@code --tls-auth-clients yes} asks them).
	 */
	List<String> serverArguments(int port) {
		return List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file",
				this.certificate.toString(), "--tls-key-file", this.privateKey.toString(), "--tls-ca-cert-file",
				this.certificate.toString(), "--tls-auth-clients", "no", "--tls-replication", "yes");
	}

	@Override
	public String toString() {
		return "TlsCertificates[" + this.certificate + "]";
	}

}
