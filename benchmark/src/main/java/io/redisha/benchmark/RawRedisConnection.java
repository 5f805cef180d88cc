package io.redisha.benchmark;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import io.redisha.protocol.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * A bare RESP connection for measuring: one socket, one command at a time, no client
 * library in between, so a poll costs one round trip and nothing else. A promotion ends
 * with {@code CLIENT KILL TYPE normal}, which drops this connection: it then connects
 * again.
 */
final class RawRedisConnection implements AutoCloseable {

	private static final byte[] ROLE = "*1\r\n$4\r\nROLE\r\n".getBytes(StandardCharsets.US_ASCII);

	private final NodeAddress address;

	private final int timeoutMillis;

	private Socket socket;

	private OutputStream out;

	private InputStream in;

	RawRedisConnection(NodeAddress address, int timeoutMillis) throws IOException {
		this.address = address;
		this.timeoutMillis = timeoutMillis;
		connect();
	}

	private void connect() throws IOException {
		this.socket = new Socket();
		this.socket.setTcpNoDelay(true);
		this.socket.setSoTimeout(this.timeoutMillis);
		this.socket.connect(new InetSocketAddress(this.address.host(), this.address.port()), this.timeoutMillis);
		this.out = this.socket.getOutputStream();
		this.in = new BufferedInputStream(this.socket.getInputStream());
	}

	/**
	 * Sends {@code ROLE} and answers whether the node says it is a master; when the
	 * connection was dropped, or the reply is late (a busy machine), connects again and
	 * answers false (the caller simply asks again).
	 */
	boolean isMaster() throws IOException {
		try {
			this.out.write(ROLE);
			this.out.flush();
			Object reply = read();
			if (reply instanceof Object[] array && array.length > 0 && array[0] instanceof String role) {
				return "master".equals(role);
			}
			throw new IOException("unexpected ROLE reply from " + this.address + ": " + reply);
		}
		catch (SocketException | SocketTimeoutException ex) {
			// A late reply would be read as the next one's: a new connection starts
			// clean.
			this.socket.close();
			connect();
			return false;
		}
	}

	/**
	 * Subscribes this connection to the channels matching {@code pattern}; from then on
	 * it only reads messages ({@link #nextMessageChannel()}).
	 */
	void psubscribe(String pattern) throws IOException {
		byte[] name = pattern.getBytes(StandardCharsets.UTF_8);
		this.out.write(("*2\r\n$10\r\nPSUBSCRIBE\r\n$" + name.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		this.out.write(name);
		this.out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
		read();
	}

	/** Waits for the next message of a subscription; returns its channel. */
	String nextMessageChannel() throws IOException {
		Object reply = read();
		if (reply instanceof Object[] push && push.length == 4 && "pmessage".equals(push[0])) {
			return (String) push[2];
		}
		throw new IOException("unexpected push from " + this.address + ": " + reply);
	}

	/** Reads one RESP2 value: arrays as Object[], strings as String, integers as Long. */
	private @Nullable Object read() throws IOException {
		int type = this.in.read();
		if (type == -1) {
			throw new SocketException("connection to " + this.address + " closed");
		}
		String line = readLine();
		return switch (type) {
			case '+' -> line;
			case '-' -> throw new IOException("error reply: " + line);
			case ':' -> Long.parseLong(line);
			case '$' -> bulk(Integer.parseInt(line));
			case '*' -> array(Integer.parseInt(line));
			default -> throw new IOException("unexpected RESP type '" + (char) type + "'");
		};
	}

	private @Nullable Object[] array(int length) throws IOException {
		@Nullable Object[] values = new Object[Math.max(length, 0)];
		for (int i = 0; i < values.length; i++) {
			values[i] = read();
		}
		return values;
	}

	private @Nullable String bulk(int length) throws IOException {
		if (length < 0) {
			return null;
		}
		byte[] bytes = this.in.readNBytes(length + 2);
		if (bytes.length != length + 2) {
			throw new IOException("connection closed in a bulk string");
		}
		return new String(bytes, 0, length, StandardCharsets.UTF_8);
	}

	private String readLine() throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = this.in.read()) != '\r') {
			if (b == -1) {
				throw new IOException("connection closed in a reply line");
			}
			line.append((char) b);
		}
		this.in.read();
		return line.toString();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
