package io.redisha.embedded;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * How to start one {@code redis-server}: immutable, each {@code with...} method returns a
 * copy. By default a master without persistence and without password, on a free port.
 *
 * @param username an ACL user created with all permissions (and used to authenticate to
 * the master)
 * @param password the password of the default user (and of {@code username})
 * @param replicaPriority the {@code replica-priority}, or null for the server's default
 * @param replicaOf the master to replicate from as {@code host:port}, or null for a
 * master
 * @param extraArguments further {@code --name value} arguments
 * @param tls the certificates to listen with TLS only (and replicate over TLS), or null
 * for plain text
 */
public record RedisServerOptions(@Nullable String username, @Nullable String password,
		@Nullable Integer replicaPriority, @Nullable String replicaOf, List<String> extraArguments,
		@Nullable TlsCertificates tls) {

	public RedisServerOptions {
		extraArguments = List.copyOf(extraArguments);
		if (username != null && password == null) {
			throw new IllegalArgumentException("username '" + username + "' needs a password");
		}
		if (replicaOf != null && replicaOf.lastIndexOf(':') <= 0) {
			throw new IllegalArgumentException("replicaOf must be host:port but was '" + replicaOf + "'");
		}
	}

	/** A master without persistence or password. */
	public static RedisServerOptions defaults() {
		return new RedisServerOptions(null, null, null, null, List.of(), null);
	}

	public RedisServerOptions withPassword(String password) {
		return new RedisServerOptions(this.username, password, this.replicaPriority, this.replicaOf,
				this.extraArguments, this.tls);
	}

	public RedisServerOptions withUser(String username, String password) {
		return new RedisServerOptions(username, password, this.replicaPriority, this.replicaOf, this.extraArguments,
				this.tls);
	}

	public RedisServerOptions withReplicaPriority(@Nullable Integer priority) {
		return new RedisServerOptions(this.username, this.password, priority, this.replicaOf, this.extraArguments,
				this.tls);
	}

	/** A replica of {@code master} ({@code host:port}), or a master when null. */
	public RedisServerOptions withReplicaOf(@Nullable String master) {
		return new RedisServerOptions(this.username, this.password, this.replicaPriority, master, this.extraArguments,
				this.tls);
	}

	/** Adds one configuration directive, e.g. {@code ("appendonly", "yes")}. */
	public RedisServerOptions withArgument(String name, String... values) {
		List<String> arguments = new ArrayList<>(this.extraArguments);
		arguments.add("--" + name);
		arguments.addAll(List.of(values));
		return new RedisServerOptions(this.username, this.password, this.replicaPriority, this.replicaOf, arguments,
				this.tls);
	}

	/**
	 * Runs as a Redis Sentinel ({@code --sentinel}), with an empty configuration file of
	 * its own: it monitors nothing, it only answers as a Sentinel.
	 */
	public RedisServerOptions asSentinel() {
		return withArgument("sentinel");
	}

	/** Whether it runs as a Sentinel. */
	boolean sentinel() {
		return this.extraArguments.contains("--sentinel");
	}

	/** Listens with TLS only, with these certificates; replicas replicate over TLS. */
	public RedisServerOptions withTls(TlsCertificates certificates) {
		return new RedisServerOptions(this.username, this.password, this.replicaPriority, this.replicaOf,
				this.extraArguments, certificates);
	}

	/**
	 * The command-line arguments after the binary, for a server on {@code port} in
	 * {@code dir}.
	 */
	List<String> arguments(int port, String dir) {
		List<String> arguments = new ArrayList<>(
				(this.tls != null) ? this.tls.serverArguments(port) : List.of("--port", Integer.toString(port)));
		arguments.addAll(List.of("--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no", "--save", "", "--appendonly",
				"no", "--logfile", "",
				// Redis 7 syncs replicas diskless after a 5 s delay by default: start at
				// once.
				"--repl-diskless-sync-delay", "0"));
		if (this.password != null) {
			arguments.addAll(List.of("--requirepass", this.password, "--masterauth", this.password));
		}
		if (this.username != null) {
			arguments.addAll(List.of("--user", this.username, "on", ">" + this.password, "~*", "&*", "+@all",
					"--masteruser", this.username));
		}
		if (this.replicaPriority != null) {
			arguments.addAll(List.of("--replica-priority", this.replicaPriority.toString()));
		}
		if (this.replicaOf != null) {
			int colon = this.replicaOf.lastIndexOf(':');
			arguments.addAll(
					List.of("--replicaof", this.replicaOf.substring(0, colon), this.replicaOf.substring(colon + 1)));
		}
		arguments.addAll(this.extraArguments);
		return arguments;
	}

	@Override
	public String toString() {
		return "RedisServerOptions[username=" + this.username + ", password="
				+ ((this.password != null) ? "******" : null) + ", replicaPriority=" + this.replicaPriority
				+ ", replicaOf=" + this.replicaOf + ", extraArguments=" + this.extraArguments
				+ ((this.tls != null) ? ", tls" : "") + "]";
	}

}
