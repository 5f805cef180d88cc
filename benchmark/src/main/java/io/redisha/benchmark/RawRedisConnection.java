package io.redisha.benchmark;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.redisha.protocol.NodeAddress;

/**
 * A bare RESP connection for measuring: one socket, one command at a time, no client library
 * in between, so a poll costs one round trip and nothing else.
 */
final class RawRedisConnection implements AutoCloseable {

	private static final byte[] ROLE = "*1\r\n$4\r\nROLE\r\n".getBytes(StandardCharsets.US_ASCII);

	private final Socket socket;

	private final OutputStream out;

	private final InputStream in;

	RawRedisConnection(NodeAddress address, int timeoutMillis) throws IOException {
		this.socket = new Socket();
		this.socket.setTcpNoDelay(true);
		this.socket.setSoTimeout(timeoutMillis);
		this.socket.connect(new InetSocketAddress(address.host(), address.port()), timeoutMillis);
		this.out = this.socket.getOutputStream();
		this.in = new BufferedInputStream(this.socket.getInputStream());
	}

	/** Sends {@code ROLE} and answers whether the node says it is a master. */
	boolean isMaster() throws IOException {
		this.out.write(ROLE);
		this.out.flush();
		Object reply = read();
		if (reply instanceof Object[] array && array.length > 0 && array[0] instanceof String role) {
			return "master".equals(role);
		}
		throw new IOException("unexpected ROLE reply: " + reply);
	}

	/** Reads one RESP2 value: arrays as Object[], strings as String, integers as Long. */
	private Object read() throws IOException {
		int type = this.in.read();
		String line = readLine();
		return switch (type) {
			case '+' -> line;
			case '-' -> throw new IOException("error reply: " + line);
			case ':' -> Long.parseLong(line);
			case '$' -> bulk(Integer.parseInt(line));
			case '*' -> array(Integer.parseInt(line));
			case -1 -> throw new IOException("connection closed");
			default -> throw new IOException("unexpected RESP type '" + (char) type + "'");
		};
	}

	private Object[] array(int length) throws IOException {
		Object[] values = new Object[Math.max(length, 0)];
		for (int i = 0; i < values.length; i++) {
			values[i] = read();
		}
		return values;
	}

	private String bulk(int length) throws IOException {
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
