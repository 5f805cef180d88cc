package io.redisha.embedded;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;

/**
 * A minimal RESP2 client for driving test servers: one short-lived connection per call,
 * over TLS when given a socket factory, authenticated when a password is set. Replies
 * come back raw: {@link String} for status and bulk replies, {@link Long} for integers,
 * {@link List} for arrays, {@code null} for nil; error replies throw
 * {@link RedisErrorReplyException}.
 */
public final class RespClient {

	private final String host;

	private final int port;

	private final @Nullable String username;

	private final @Nullable String password;

	private final Duration timeout;

	private final @Nullable SSLSocketFactory tls;

	/**
	 * A plain-text client; see
	 * {@link #RespClient(String, int, String, String, Duration, SSLSocketFactory)}.
	 */
	public RespClient(String host, int port, @Nullable String username, @Nullable String password, Duration timeout) {
		this(host, port, username, password, timeout, null);
	}

	/**
	 * @param host the server's host
	 * @param port its port
	 * @param username the ACL user, or null for the default user
	 * @param password the password, when one is required
	 * @param timeout the connect and read timeout
	 * @param tls the TLS sockets to connect with, or null for plain text
	 */
	public RespClient(String host, int port, @Nullable String username, @Nullable String password, Duration timeout,
			@Nullable SSLSocketFactory tls) {
		this.host = host;
		this.port = port;
		this.username = username;
		this.password = password;
		this.timeout = timeout;
		this.tls = tls;
	}

	/**
	 * Runs one command and returns its raw reply.
	 * @throws RedisErrorReplyException when the server answers with an error
	 * @throws UncheckedIOException when the server cannot be reached or does not answer
	 * in time
	 */
	public @Nullable Object call(String... command) {
		try (Socket plain = new Socket(); Socket socket = secure(plain)) {
			OutputStream out = socket.getOutputStream();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			if (this.password != null) {
				send(out, (this.username != null) ? new String[] { "AUTH", this.username, this.password }
						: new String[] { "AUTH", this.password });
				read(in);
			}
			send(out, command);
			return read(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis at " + this.host + ":" + this.port + " did not answer " + command[0]
					+ ": " + ex.getMessage(), ex);
		}
	}

	/** Connects {@code plain}, and wraps it in TLS (handshake done) when configured. */
	private Socket secure(Socket plain) throws IOException {
		int millis = (int) this.timeout.toMillis();
		plain.connect(new InetSocketAddress(this.host, this.port), millis);
		plain.setSoTimeout(millis);
		plain.setTcpNoDelay(true);
		if (this.tls == null) {
			return plain;
		}
		SSLSocket socket = (SSLSocket) this.tls.createSocket(plain, this.host, this.port, true);
		socket.startHandshake();
		return socket;
	}

	private static void send(OutputStream out, String... command) throws IOException {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		buffer.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.UTF_8));
		for (String argument : command) {
			byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
			buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
			buffer.writeBytes(bytes);
			buffer.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		out.write(buffer.toByteArray());
		out.flush();
	}

	private static @Nullable Object read(InputStream in) throws IOException {
		int type = in.read();
		String line = readLine(in);
		return switch (type) {
			case '+' -> line;
			case '-' -> throw new RedisErrorReplyException(line);
			case ':' -> Long.parseLong(line);
			case '$' -> readBulk(in, Integer.parseInt(line));
			case '*' -> readArray(in, Integer.parseInt(line));
			case -1 -> throw new EOFException("connection closed before a reply");
			default -> throw new IOException("not a RESP2 reply: '" + (char) type + line + "'");
		};
	}

	private static @Nullable String readBulk(InputStream in, int length) throws IOException {
		if (length < 0) {
			return null;
		}
		byte[] bytes = in.readNBytes(length);
		if (bytes.length < length) {
			throw new EOFException("connection closed inside a bulk reply");
		}
		readLine(in);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static @Nullable List<@Nullable Object> readArray(InputStream in, int size) throws IOException {
		if (size < 0) {
			return null;
		}
		List<@Nullable Object> elements = new ArrayList<>(size);
		for (int i = 0; i < size; i++) {
			elements.add(read(in));
		}
		return elements;
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = in.read()) != -1) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		throw new EOFException("connection closed inside a reply line");
	}

}
