package io.redisha.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP proxy to one target, to cut one client off from one server:
 * {@link #cut()} drops every open connection and black-holes new ones (accepted, then
 * never answered, as behind a dead network link); {@link #restore()} forwards again.
 * {@link #cutFrom(String)} does the same for the connections coming from one source
 * address only, for a proxy that clients bound to different loopback addresses share.
 * {@link #holdFrom(String)} delays one command (and what clients send after it) until
 * {@link #release()}, as a retransmission or a paused sender would.
 */
public final class TcpProxy implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(TcpProxy.class);

	private final String targetHost;

	private final int targetPort;

	private final ServerSocket server;

	/**
	 * Every open socket, on both sides, with the source address of the client it serves.
	 */
	private final Map<Socket, String> sockets = new ConcurrentHashMap<>();

	private final Set<String> cutSources = ConcurrentHashMap.newKeySet();

	private volatile boolean cut;

	private volatile boolean closed;

	/**
	 * What clients send is held from the first read containing these bytes on; null when
	 * not armed.
	 */
	private volatile byte @Nullable [] holdMarker;

	/** Open while data is held; null when nothing is. */
	private volatile @Nullable CountDownLatch held;

	/** Listens on a free loopback port and forwards to {@code targetHost:targetPort}. */
	public TcpProxy(String targetHost, int targetPort) {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		try {
			this.server = new ServerSocket(0, 50, InetAddress.getByName(RedisServerProcess.HOST));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot open a proxy port", ex);
		}
		Thread acceptor = new Thread(this::accept, "tcp-proxy-" + port() + "-to-" + targetPort);
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/** A proxy in front of this server. */
	public static TcpProxy to(RedisServerProcess server) {
		return new TcpProxy(server.host(), server.port());
	}

	/** The host clients connect to. */
	public String host() {
		return RedisServerProcess.HOST;
	}

	/** The port clients connect to. */
	public int port() {
		return this.server.getLocalPort();
	}

	/** {@code 127.0.0.1:port} of the proxy. */
	public String address() {
		return RedisServerProcess.HOST + ":" + port();
	}

	/** Whether the proxy is cut. */
	public boolean isCut() {
		return this.cut;
	}

	/**
	 * Drops every open connection; new ones are accepted but never answered until
	 * {@link #restore()}.
	 */
	public void cut() {
		this.cut = true;
		closeAll();
	}

	/**
	 * Forwards again; connections black-holed while cut are dropped, so clients
	 * reconnect.
	 */
	public void restore() {
		this.cut = false;
		closeAll();
	}

	/**
	 * Holds the first data a client sends that contains {@code marker} (in one read, e.g.
	 * a command name), and everything any client sends after it, until
	 * {@link #release()}; replies still flow.
	 */
	public void holdFrom(String marker) {
		this.holdMarker = marker.getBytes(StandardCharsets.UTF_8);
	}

	/** Whether data is held now. */
	public boolean isHolding() {
		return this.held != null;
	}

	/** Forwards what was held, and from then on everything again. */
	public void release() {
		this.holdMarker = null;
		CountDownLatch gate = this.held;
		this.held = null;
		if (gate != null) {
			gate.countDown();
		}
	}

	/**
	 * Like {@link #cut()}, for the clients connecting from {@code source} (an IP address
	 * such as {@code 127.0.0.11}) only.
	 */
	public void cutFrom(String source) {
		this.cutSources.add(source);
		closeFrom(source);
	}

	/** Like {@link #restore()}, for the clients connecting from {@code source} only. */
	public void restoreFrom(String source) {
		this.cutSources.remove(source);
		closeFrom(source);
	}

	/** {@link #cut()} when {@code cut}, else {@link #restore()}. */
	public void setCut(boolean cut) {
		if (cut) {
			cut();
		}
		else {
			restore();
		}
	}

	/** {@link #cutFrom} when {@code cut}, else {@link #restoreFrom}. */
	public void setCutFrom(String source, boolean cut) {
		if (cut) {
			cutFrom(source);
		}
		else {
			restoreFrom(source);
		}
	}

	private boolean isCutFor(String source) {
		return this.cut || this.cutSources.contains(source);
	}

	private void closeAll() {
		this.sockets.keySet().forEach(TcpProxy::closeQuietly);
		this.sockets.clear();
	}

	private void closeFrom(String source) {
		this.sockets.forEach((socket, from) -> {
			if (from.equals(source)) {
				closeQuietly(socket);
				this.sockets.remove(socket);
			}
		});
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				String source = client.getInetAddress().getHostAddress();
				this.sockets.put(client, source);
				if (isCutFor(source)) {
					pump(client.getInputStream(), OutputStream.nullOutputStream(), client, client, false);
				}
				else {
					connect(client, source);
				}
			}
			catch (IOException ex) {
				if (!this.closed) {
					logger.debug("Proxy to {}:{} failed to accept", this.targetHost, this.targetPort, ex);
				}
			}
		}
	}

	private void connect(Socket client, String source) throws IOException {
		Socket target = new Socket();
		try {
			target.connect(new InetSocketAddress(this.targetHost, this.targetPort), 2000);
		}
		catch (IOException ex) {
			// As the target would: refuse the client.
			closeQuietly(target);
			closeQuietly(client);
			this.sockets.remove(client);
			return;
		}
		this.sockets.put(target, source);
		if (isCutFor(source)) {
			// Cut while connecting: nothing may slip through.
			closeFrom(source);
			return;
		}
		pump(client.getInputStream(), target.getOutputStream(), client, target, true);
		pump(target.getInputStream(), client.getOutputStream(), client, target, false);
	}

	/**
	 * Copies until either side closes, then closes both; what a client sends may be held.
	 */
	private void pump(InputStream in, OutputStream out, Socket one, Socket other, boolean fromClient) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[8192];
			try {
				int read;
				while ((read = in.read(buffer)) != -1) {
					if (fromClient) {
						awaitRelease(buffer, read);
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// A closed socket ends the copy.
			}
			finally {
				closeQuietly(one);
				closeQuietly(other);
				this.sockets.remove(one);
				this.sockets.remove(other);
			}
		}, "tcp-proxy-pump-" + port());
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitRelease(byte[] data, int length) throws IOException {
		byte[] marker = this.holdMarker;
		if (marker != null && contains(data, length, marker)) {
			synchronized (this) {
				if (this.held == null) {
					this.held = new CountDownLatch(1);
				}
				this.holdMarker = null;
			}
		}
		CountDownLatch gate = this.held;
		if (gate != null) {
			try {
				gate.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while holding", ex);
			}
		}
	}

	private static boolean contains(byte[] data, int length, byte[] marker) {
		for (int start = 0; start + marker.length <= length; start++) {
			int i = 0;
			while (i < marker.length && data[start + i] == marker[i]) {
				i++;
			}
			if (i == marker.length) {
				return true;
			}
		}
		return false;
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed.
		}
	}

	/** Stops listening and drops every connection. */
	@Override
	public void close() {
		this.closed = true;
		try {
			this.server.close();
		}
		catch (IOException ex) {
			logger.debug("Cannot close proxy port {}", port(), ex);
		}
		release();
		closeAll();
	}

}
