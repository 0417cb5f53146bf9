import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import {
  intentEvent,
  type SessionContext,
  sessionEvent,
  statementEvent,
} from '../audit/gateway-events.js';
import { type GatewayCredential, isUsable, mayReach } from '../auth/credential-store.js';
import { SCRAM_MECHANISM } from '../auth/scram.js';
import { ScramError, ScramServer } from '../auth/scram-server.js';
import type { BackendParser } from './backend-parser.js';
import { ByteRuns } from './byte-runs.js';
import type { StartupPacket } from './frontend-messages.js';
import { FrontendParser } from './frontend-parser.js';
import type { GatewayDeps } from './gateway-deps.js';
import { MessageReader } from './message-reader.js';
import * as write from './message-writer.js';
import { AUTH_OK, AUTH_SASL_CONTINUE, AUTH_SASL_FINAL } from './protocol.js';
import { ProtocolError } from './protocol-error.js';
import { SocketHold } from './socket-hold.js';
import { StatementTracker } from './statement-tracker.js';
import { cancelUpstream, openUpstream, UpstreamRefused } from './upstream-connection.js';

/** Startup parameters the gateway sets itself upstream, whatever the client asked. */
const OWN_PARAMETERS = new Set(['user', 'database', 'application_name', 'replication']);
/** Check a credential's expiry or revocation at most this often (between statements). */
const CREDENTIAL_CHECK_MS = 1000;

type Phase = 'startup' | 'auth' | 'connecting' | 'ready' | 'closed';

/**
 * One client connection: startup, SCRAM against the person's gateway credential, the
 * upstream connection as the service role, then both directions forwarded byte for byte
 * while the tracker turns the conversation into one event per statement.
 */
export class ClientSession {
  private readonly parser: FrontendParser;
  private phase: Phase = 'startup';
  private context: SessionContext;
  private scram: ScramServer | undefined;
  private scramStep = 0;
  private credential: GatewayCredential | undefined;
  private startup: Map<string, string> = new Map();
  private upstream: Socket | undefined;
  private upstreamParser: BackendParser | undefined;
  private tracker: StatementTracker | undefined;
  private held: Buffer[] = [];
  private client: Socket;
  private clientHold: SocketHold;
  /** The TLS version the client connected with (e.g. TLSv1.3); undefined in the clear. */
  private clientTls: string | undefined;
  private upstreamHold: SocketHold | undefined;
  private processId: number | undefined;
  private statements = 0;
  private connectedAtMs = 0;
  private lastCredentialCheckMs = 0;
  private endReason: string | undefined;

  constructor(
    client: Socket,
    private readonly deps: GatewayDeps,
  ) {
    this.client = client;
    this.parser = new FrontendParser({ maxMessageBytes: deps.maxMessageBytes });
    this.context = {
      sessionId: deps.newSessionId(),
      person: '',
      clientIp: client.remoteAddress,
      database: deps.upstream.database,
      upstreamRole: deps.upstream.user,
      redaction: deps.policy.current.redaction,
    };
    this.clientHold = new SocketHold(client);
    client.setNoDelay(true);
    this.listen(client);
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.onClientData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** Answers 'S' and continues the startup inside TLS on the same connection. */
  private startTls(): void {
    const raw = this.client;
    raw.removeAllListeners('data');
    raw.removeAllListeners('error');
    raw.removeAllListeners('close');
    const secure = new TLSSocket(raw, { isServer: true, secureContext: this.deps.tls!.context });
    secure.once('secure', () => {
      this.clientTls = secure.getProtocol() ?? undefined;
    });
    this.client = secure;
    this.clientHold = new SocketHold(secure);
    this.listen(secure);
  }

  private onClientData(chunk: Buffer): void {
    try {
      if (this.phase === 'ready') {
        this.forwardFromClient(chunk);
        return;
      }
      if (this.phase === 'connecting') {
        this.held.push(chunk);
        return;
      }
      this.parser.push(chunk);
      if (this.phase === 'startup') this.readStartup();
      if (this.phase === 'auth') this.readAuth();
    } catch (error) {
      this.protocolFailure(error);
    }
  }

  private readStartup(): void {
    for (let p = this.parser.nextStartupPacket(); p; p = this.parser.nextStartupPacket()) {
      if (this.onStartupPacket(p)) return;
    }
  }

  /** Returns true when startup is over (or the connection is). */
  private onStartupPacket(p: StartupPacket): boolean {
    switch (p.type) {
      case 'sslRequest':
      case 'gssEncRequest': {
        if (this.client instanceof TLSSocket) {
          this.fatal('08P01', 'encryption was already negotiated on this connection');
          return true;
        }
        // TLS when configured; never GSS encryption: 'N', and the client goes on in the clear
        // (or gives up).
        const tls = p.type === 'sslRequest' && this.deps.tls !== undefined;
        this.client.write(tls ? 'S' : 'N');
        if (this.parser.buffered > 0) {
          // CVE-2021-23214: bytes sent before our answer were not protected by any handshake.
          this.fatal(
            '08P01',
            'received unencrypted data after SSL request',
            'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
          );
          return true;
        }
        if (tls) this.startTls();
        return false;
      }
      case 'cancelRequest':
        this.deps.cancels.cancel(p.processId, p.secretKey);
        this.close();
        return true;
      case 'startup':
        this.onStartup(p.major, p.minor, p.parameters);
        return true;
    }
  }

  private onStartup(major: number, minor: number, parameters: Map<string, string>): void {
    if (major !== 3) {
      this.fatal(
        '0A000',
        `unsupported frontend protocol ${major}.${minor}: the gateway speaks 3.0`,
      );
      return;
    }
    const unknownOptions = [...parameters.keys()].filter((k) => k.startsWith('_pq_.'));
    if (minor > 0 || unknownOptions.length > 0)
      this.client.write(write.negotiateProtocolVersion(0, unknownOptions));
    for (const k of unknownOptions) parameters.delete(k);
    const user = parameters.get('user');
    if (!user) {
      this.fatal(
        '28000',
        'no PostgreSQL user name specified in startup packet',
        undefined,
        'connect as your Evident person name',
      );
      return;
    }
    const database = parameters.get('database') ?? user;
    if (database !== this.deps.upstream.database && parameters.has('database')) {
      this.fatal(
        '3D000',
        `database "${database}" is not served by this gateway`,
        undefined,
        `connect to "${this.deps.upstream.database}"`,
      );
      return;
    }
    const replication = parameters.get('replication');
    if (replication && !['false', 'off', '0', 'no'].includes(replication.toLowerCase())) {
      this.fatal('0A000', 'replication connections are not supported through the gateway');
      return;
    }
    this.startup = parameters;
    this.context.person = user;
    if (this.deps.tls?.require && !this.clientTls) {
      this.endReason = 'TLS required';
      this.recordConnect('failure', 'the client did not use TLS; the gateway requires it');
      this.fatal(
        '28000',
        'the gateway requires TLS',
        undefined,
        'connect with sslmode=verify-full',
      );
      return;
    }
    const found = this.deps.credentials.find(user);
    this.credential = found && isUsable(found, this.deps.clock.now()) ? found : undefined;
    this.scram = new ScramServer(
      this.credential?.verifier,
      this.deps.random(16),
      this.deps.random(18).toString('base64'),
    );
    this.endReason = found
      ? found.revoked
        ? 'credential revoked'
        : this.credential
          ? undefined
          : 'credential expired'
      : 'no credential for this person';
    this.phase = 'auth';
    this.client.write(write.authenticationSasl([SCRAM_MECHANISM]));
  }

  private readAuth(): void {
    while (this.phase === 'auth') {
      const m = this.parser.nextMessage();
      if (!m) return;
      if (m.type !== 'authResponse') {
        if (m.type === 'terminate') {
          this.close();
          return;
        }
        throw new ProtocolError(
          'unexpected_message',
          `expected a SASL response, got a ${m.type} message`,
        );
      }
      this.onAuthResponse(m.body);
    }
  }

  private onAuthResponse(body: Buffer): void {
    const scram = this.scram!;
    try {
      if (this.scramStep === 0) {
        const r = new MessageReader(body, 0, body.length);
        const mechanism = r.cstring();
        const length = r.int32();
        if (mechanism !== SCRAM_MECHANISM)
          throw new ScramError(
            `unsupported SASL mechanism ${mechanism}; the gateway offers ${SCRAM_MECHANISM}`,
          );
        const first = scram.start(r.bytes(length).toString('utf8'));
        this.scramStep = 1;
        this.client.write(write.authentication(AUTH_SASL_CONTINUE, Buffer.from(first)));
        return;
      }
      const final = scram.finish(body.toString('utf8'));
      this.client.write(
        Buffer.concat([
          write.authentication(AUTH_SASL_FINAL, Buffer.from(final)),
          write.authentication(AUTH_OK),
        ]),
      );
      if (this.credential?.personId !== undefined) this.context.personId = this.credential.personId;
      if (this.credential && !this.permitted(this.credential)) return;
      if (this.logRefuses()) return;
    } catch (error) {
      if (!(error instanceof ScramError)) throw error;
      const reason = this.endReason ?? error.message;
      this.recordConnect('failure', reason);
      this.fatal('28P01', `password authentication failed for user "${this.context.person}"`);
      return;
    }
    this.phase = 'connecting';
    void this.connectUpstream();
  }

  private async connectUpstream(): Promise<void> {
    const parameters = new Map<string, string>([
      ['user', this.deps.upstream.user],
      ['database', this.deps.upstream.database],
      ['application_name', `evident/${this.context.sessionId}`],
    ]);
    for (const [k, v] of this.startup) if (!OWN_PARAMETERS.has(k)) parameters.set(k, v);
    try {
      const up = await openUpstream(this.deps.upstream, parameters);
      if (this.phase === 'closed') {
        up.socket.destroy();
        return;
      }
      this.upstream = up.socket;
      this.upstreamParser = up.parser;
      this.upstreamHold = new SocketHold(up.socket);
      const key = this.deps.cancels.register(() =>
        cancelUpstream(this.deps.upstream, up.processId, up.secretKey),
      );
      this.processId = key.processId;
      const policy = this.deps.policy.current;
      this.tracker = new StatementTracker(
        policy.classifier,
        this.deps.clock,
        (r) => {
          this.statements++;
          this.pendingEvents.push(statementEvent(this.context, r, this.deps.newEventId()));
        },
        policy.guardrails,
        this.context.upstreamRole,
      );
      up.socket.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
      up.socket.on('error', () => this.close('upstream connection failed'));
      up.socket.on('close', () => this.close('upstream closed the connection'));
      this.connectedAtMs = this.deps.clock.now();
      this.lastCredentialCheckMs = this.connectedAtMs;
      this.record(
        sessionEvent(
          this.context,
          'connect',
          'success',
          this.deps.newEventId(),
          this.connectedAtMs,
          {
            details: {
              credential: this.credential?.id,
              application_name: `evident/${this.context.sessionId}`,
              client_tls: this.clientTls ?? 'none',
              upstream_tls: up.tlsProtocol ?? 'none',
            },
          },
        ),
      );
      this.client.write(
        Buffer.concat([
          ...up.startupMessages,
          write.backendKeyData(key.processId, key.secretKey),
          up.ready,
        ]),
      );
      this.phase = 'ready';
      const held = this.held;
      this.held = [];
      // Whatever the client sent after authenticating (not parsed yet) goes upstream in order.
      const leftover = this.parser.takeBuffered();
      for (const chunk of [leftover, ...held]) if (chunk.length > 0) this.forwardFromClient(chunk);
    } catch (error) {
      const message = (error as Error).message;
      this.recordConnect('failure', `upstream: ${message}`);
      if (error instanceof UpstreamRefused) {
        this.client.end(error.raw);
        this.close();
      } else {
        this.deps.log?.(`session ${this.context.sessionId}: ${message}`);
        this.fatal('08006', 'the gateway cannot reach the database', message);
      }
    }
  }

  private pendingEvents: Record<string, unknown>[] = [];

  /** True between the server's ReadyForQuery and the client's next message. */
  private idle = true;

  /**
   * Whole messages go upstream as they complete (a refused statement replaced by its
   * substitute); a message's first bytes wait in the parser until the rest arrives.
   */
  private forwardFromClient(chunk: Buffer): void {
    // Expiry or revocation ends the session between statements, never in the middle of one;
    // so does a log that refuses the gateway's events, since nothing could be recorded.
    if (this.idle && (this.credentialEnded() || this.logRefuses())) return;
    this.idle = false;
    const tracker = this.tracker!;
    const policy = this.deps.policy.current;
    tracker.setPolicy(policy.classifier, policy.guardrails);
    // Events of statements the classifier did not read (function calls) follow it too.
    this.context.redaction = policy.redaction;
    this.parser.push(chunk);
    const out = new ByteRuns();
    const waits: Promise<void>[] = [];
    for (let m = this.parser.nextMessage(); m; m = this.parser.nextMessage()) {
      const step = tracker.fromClient(m);
      out.add(step.substitute ?? m.raw);
      if (this.deps.mode === 'fail_closed')
        for (const st of step.intents)
          waits.push(
            this.deps.audit.appendDurable(
              intentEvent(this.context, st, this.deps.newEventId(), this.deps.clock.now()),
              this.context.sessionId,
            ),
          );
      if (m.type === 'terminate') this.endReason = 'client terminated the session';
    }
    const upstream = this.upstream!;
    const bytes = out.take();
    if (waits.length === 0) {
      this.send(upstream, bytes, this.clientHold);
      return;
    }
    this.clientHold.until(
      Promise.all(waits).then(() => this.send(upstream, bytes, this.clientHold)),
    );
  }

  private onUpstreamData(chunk: Buffer): void {
    const parser = this.upstreamParser!;
    let sawReady = false;
    const out = new ByteRuns();
    try {
      parser.push(chunk);
      for (let m = parser.next(); m; m = parser.next()) {
        // A guardrail's refusal replaces the server's error for the substituted statement.
        out.add(this.tracker!.fromServer(m) ?? m.raw);
        if (m.type === 'readyForQuery') sawReady = true;
      }
    } catch (error) {
      this.deps.log?.(
        `session ${this.context.sessionId}: upstream sent a malformed message: ${(error as Error).message}`,
      );
      this.close('upstream protocol error');
      return;
    }
    const bytes = out.take();
    const events = this.pendingEvents;
    this.pendingEvents = [];
    const waits: Promise<void>[] = [];
    for (const e of events) {
      const wait = this.deps.audit.enqueue(e, this.context.sessionId);
      if (wait) waits.push(wait);
    }
    const after = () => {
      this.send(this.client, bytes, this.upstreamHold!);
      if (sawReady) this.idle = true;
    };
    if (waits.length === 0) after();
    // A full queue: the client's answer waits until its events are queued (never dropped).
    else this.upstreamHold!.until(Promise.all(waits).then(after));
  }

  /**
   * The policy in Evident, checked once the person is known to be who they say (as
   * PostgreSQL refuses a database without CONNECT after authentication).
   */
  private permitted(credential: GatewayCredential): boolean {
    const { database, upstreamRole } = this.context;
    if (mayReach(credential, database, upstreamRole)) return true;
    const reason = `no gateway grant lets ${this.context.person} reach ${database} as ${upstreamRole}`;
    this.endReason = 'no grant';
    this.recordConnect('denied', reason);
    this.fatal(
      '42501',
      `permission denied for database "${database}"`,
      reason,
      'an Evident admin grants access with POST /api/v1/gateway/grants',
    );
    return false;
  }

  /** Expiry or revocation ends the session between statements, never in the middle of one. */
  private credentialEnded(): boolean {
    const now = this.deps.clock.now();
    if (now - this.lastCredentialCheckMs < CREDENTIAL_CHECK_MS) return false;
    this.lastCredentialCheckMs = now;
    const current = this.deps.credentials.find(this.context.person);
    const reachable =
      current !== undefined && mayReach(current, this.context.database, this.context.upstreamRole);
    if (current && current.id === this.credential?.id && isUsable(current, now) && reachable)
      return false;
    const reason = !current
      ? 'credential withdrawn'
      : current.id !== this.credential?.id
        ? 'credential replaced'
        : current.revoked
          ? 'credential revoked'
          : !isUsable(current, now)
            ? 'credential expired'
            : 'access withdrawn by the policy';
    this.endReason = reason;
    this.fatal(
      '28000',
      `gateway session ended: ${reason}`,
      undefined,
      'get a new credential with `evident gateway credentials create`',
    );
    return true;
  }

  /**
   * While the log refuses the gateway's events (a revoked ingest key…), no statement could be
   * recorded: the session ends with a FATAL saying why (57P03, "cannot connect now": clients
   * and poolers treat it as transient) rather than run statements nobody will see.
   */
  private logRefuses(): boolean {
    const refusal = this.deps.audit.refusal;
    if (!refusal) return false;
    this.endReason = `the audit log refuses the gateway's events (${refusal.status})`;
    // Refused at connection: the attempt is an event too (held with the others).
    if (!this.tracker) this.recordConnect('failure', this.endReason);
    this.fatal(
      '57P03',
      `the gateway admits no statements: the audit log refuses its events (${refusal.status})`,
      refusal.message,
      "the gateway's operator must fix its ingest key or its source's permissions on the Evident server; statements are admitted again once the log takes the held events",
    );
    return true;
  }

  /** Writes, and stops reading the other side while this side's buffer is full. */
  private send(to: Socket, bytes: Buffer[], readerHold: SocketHold): void {
    if (this.phase === 'closed' || bytes.length === 0) return;
    let full = false;
    if (bytes.length > 1) to.cork();
    for (const b of bytes) full = !to.write(b) || full;
    if (bytes.length > 1) to.uncork();
    if (full) readerHold.until(new Promise((resolve) => to.once('drain', resolve)));
  }

  private protocolFailure(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.endReason = `protocol violation: ${error.message}`;
      this.fatal('08P01', error.message);
      return;
    }
    this.deps.log?.(`session ${this.context.sessionId}: ${(error as Error).stack ?? error}`);
    this.fatal('XX000', 'internal gateway error');
  }

  private fatal(sqlstate: string, message: string, detail?: string, hint?: string): void {
    if (this.closed) return;
    this.client.end(
      write.errorResponse({
        severity: 'FATAL',
        sqlstate,
        message,
        ...(detail ? { detail } : {}),
        ...(hint ? { hint } : {}),
      }),
    );
    this.close(message);
  }

  /** A connection refused before it ran anything: the attempt and why, as a session event. */
  private recordConnect(outcome: 'failure' | 'denied', reason: string): void {
    this.record(
      sessionEvent(
        this.context,
        'connect',
        outcome,
        this.deps.newEventId(),
        this.deps.clock.now(),
        { reason },
      ),
    );
  }

  private record(event: Record<string, unknown>): void {
    // Session events go through the same ordered queue; a full queue is waited on by nobody here.
    void this.deps.audit.enqueue(event, this.context.sessionId);
  }

  private closed = false;

  private close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.phase = 'closed';
    if (this.processId !== undefined) this.deps.cancels.unregister(this.processId);
    this.processId = undefined;
    if (this.upstream && !this.upstream.destroyed) this.upstream.destroy();
    if (!this.client.destroyed) this.client.end();
    if (!this.tracker) return;
    const tracker = this.tracker;
    this.tracker = undefined;
    tracker.abandon('the session ended before the statement finished');
    for (const e of this.pendingEvents.splice(0))
      void this.deps.audit.enqueue(e, this.context.sessionId);
    const now = this.deps.clock.now();
    this.record(
      sessionEvent(this.context, 'disconnect', 'success', this.deps.newEventId(), now, {
        reason: this.endReason ?? reason ?? 'client closed the connection',
        details: {
          statements: this.statements,
          duration_ms: Math.max(0, now - this.connectedAtMs),
        },
      }),
    );
  }
}
