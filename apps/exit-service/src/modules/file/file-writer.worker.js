// @ts-check
'use strict';
/*
 * The file publisher's writer thread (plain JavaScript: a worker thread
 * loads it as it is, from the sources in tests and from dist in production).
 *
 * One job per event: { id, op: 'write', directory, files: [{ path, bytes }] }
 * or { id, op: 'remove', directory, paths }; a message holds the jobs of one
 * tick of the publisher, and the replies go back the same way. For a write it leaves files that
 * already hold the same bytes alone, refuses (permanently) to replace a
 * different content, and writes the others atomically: temporary file,
 * fsync, rename; then one fsync of the directory. Replies { id, written } or
 * { id, error, code, permanent }.
 *
 * Synchronous system calls on a thread of its own: one wake-up each way per
 * event instead of two per call through libuv's shared thread pool, and a
 * publish directory that hangs (a stuck network share) holds up this
 * thread only — never the other modules, whose DNS lookups use that pool.
 */
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { join } = require('node:path');
const { randomBytes } = require('node:crypto');

const { O_WRONLY, O_CREAT, O_EXCL, O_RDONLY, O_DIRECTORY } = fs.constants;
/** Temporary names unique per thread (replicas may share the directory). */
const prefix = `.${randomBytes(6).toString('hex')}`;
let counter = 0;
/** @type {Map<string, number>} directory → open descriptor, for its fsync */
const directories = new Map();

/** @param {string} directory */
function directoryFd(directory) {
  let fd = directories.get(directory);
  if (fd === undefined) {
    fs.mkdirSync(directory, { recursive: true, mode: 0o755 });
    fd = fs.openSync(directory, O_RDONLY | O_DIRECTORY);
    directories.set(directory, fd);
  }
  return fd;
}

/** @param {string} directory */
function forget(directory) {
  const fd = directories.get(directory);
  directories.delete(directory);
  if (fd !== undefined) {
    try {
      fs.closeSync(fd);
    } catch {
      // already gone
    }
  }
}

class Permanent extends Error {}

/**
 * @param {string} directory
 * @param {{ path: string, bytes: Uint8Array }[]} files
 * @returns {number} files written
 */
function write(directory, files) {
  const missing = [];
  for (const f of files) {
    /** @type {Buffer | undefined} */
    let existing;
    try {
      existing = fs.readFileSync(f.path);
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'ENOENT') throw e;
    }
    if (!existing) missing.push(f);
    else if (!existing.equals(f.bytes)) throw new Permanent(`${f.path} already holds a different certificate; refusing to overwrite it`);
  }
  if (!missing.length) return 0;
  const dir = directoryFd(directory);
  for (const f of missing) {
    const tmp = join(directory, `${prefix}.${++counter}.tmp`);
    try {
      const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644);
      try {
        for (let off = 0; off < f.bytes.length; ) off += fs.writeSync(fd, f.bytes, off, f.bytes.length - off);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, f.path);
    } catch (e) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // never created
      }
      throw e;
    }
  }
  // The renames are durable once the directory entries are on disk.
  fs.fsyncSync(dir);
  return missing.length;
}

/**
 * @param {string} directory
 * @param {string[]} paths
 */
function remove(directory, paths) {
  for (const p of paths) fs.rmSync(p, { force: true });
  try {
    fs.fsyncSync(directoryFd(directory));
  } catch {
    forget(directory);
  }
  return 0;
}

/** @param {{ id: number, op: 'write' | 'remove', directory: string, files?: { path: string, bytes: Uint8Array }[], paths?: string[] }} job */
function handle(job) {
  for (let pass = 1; ; pass++) {
    try {
      const written = job.op === 'remove' ? remove(job.directory, job.paths ?? []) : write(job.directory, job.files ?? []);
      return { id: job.id, written };
    } catch (e) {
      const err = /** @type {NodeJS.ErrnoException} */ (e);
      // The directory may have been removed or replaced: open (and create) it afresh, once.
      forget(job.directory);
      if (pass === 1 && err.code === 'ENOENT') continue;
      return { id: job.id, error: err.message, code: err.code, permanent: err instanceof Permanent };
    }
  }
}

// Jobs come in groups (those of one tick of the publisher); the replies go back as one group too.
parentPort?.on('message', (jobs) => parentPort?.postMessage(jobs.map(handle)));
