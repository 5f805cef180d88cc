package io.redisha.sentinel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One raw connection to an endpoint, to check replies byte for byte (Sentinel's exact
 * error texts) and to send what no client library would: oversized, nested or malformed
 * requests.
 */
final class Wire implements AutoCloseable {

	private final Socket socket;

	private final OutputStream out;

	private final InputStream in;

	Wire(int port) {
		try {
			this.socket = new Socket();
			this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
			this.socket.setSoTimeout(5_000);
			this.out = this.socket.getOutputStream();
			this.in = this.socket.getInputStream();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sends a command as clients do: an array of bulk strings. */
	Wire send(String... command) {
		StringBuilder request = new StringBuilder("*").append(command.length).append("\r\n");
		for (String word : command) {
			request.append('$')
				.append(word.getBytes(StandardCharsets.UTF_8).length)
				.append("\r\n")
				.append(word)
				.append("\r\n");
		}
		return sendRaw(request.toString());
	}

	Wire sendRaw(String bytes) {
		try {
			this.out.write(bytes.getBytes(StandardCharsets.UTF_8));
			this.out.flush();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Asserts that the next bytes received are exactly {@code reply}. */
	Wire expect(String reply) {
		assertThat(read(reply.getBytes(StandardCharsets.UTF_8).length)).isEqualTo(reply);
		return this;
	}

	/** Sends a command and asserts its reply, byte for byte. */
	Wire call(String reply, String... command) {
		return send(command).expect(reply);
	}

	/** The next bytes up to and including the next CRLF. */
	String line() {
		StringBuilder line = new StringBuilder();
		while (!line.toString().endsWith("\r\n")) {
			line.append(read(1));
		}
		return line.toString();
	}

	/**
	 * Everything received until the endpoint closes the connection or {@code wait} passes
	 * in silence.
	 */
	String rest(java.time.Duration wait) {
		StringBuilder rest = new StringBuilder();
		try {
			this.socket.setSoTimeout((int) wait.toMillis());
			int b;
			while ((b = this.in.read()) != -1) {
				rest.append((char) b);
			}
		}
		catch (IOException ex) {
			// Silent or reset: what came so far is the answer.
		}
		return rest.toString();
	}

	/**
	 * Whether the endpoint closes the connection within {@code wait}, sending nothing
	 * more.
	 */
	boolean closedWithin(java.time.Duration wait) {
		try {
			this.socket.setSoTimeout((int) wait.toMillis());
			return this.in.read() == -1;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
	}

	private String read(int length) {
		try {
			byte[] bytes = this.in.readNBytes(length);
			return new String(bytes, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// Closed already.
		}
	}

	/** A bulk string reply. */
	static String bulk(String text) {
		return "$" + text.getBytes(StandardCharsets.UTF_8).length + "\r\n" + text + "\r\n";
	}

}
