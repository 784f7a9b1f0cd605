/*
 * ipc.h - typed frames between the guard's processes.
 *
 * Every pair of roles that may talk shares one socketpair, a "channel".  A
 * channel carries frames; a frame is one small typed message:
 *
 *	offset	size	field
 *	0	4	type	the message type (the caller's MSG_* enum), never 0
 *	4	4	len	payload bytes that follow the header
 *	8	8	id	what the frame is about: a queue id, or the id of the
 *			request a reply answers; 0 when nothing
 *	16	4	nfds	descriptors that travel with the frame (SCM_RIGHTS)
 *	20	len	payload: a sequence of tagged fields
 *
 * Integers are in host byte order: both ends are on the same machine, the
 * frames never leave it.  Each payload field starts with a one-byte tag that
 * says what it is, so that a sender and a receiver that disagree about a
 * message's layout fail at the first field instead of reading garbage:
 *
 *	IPC_F_U32	tag, 4 bytes
 *	IPC_F_U64	tag, 8 bytes
 *	IPC_F_STRING	tag, u32 n, n bytes of which the last is NUL and no
 *			other is (so a string is usable in place)
 *	IPC_F_DATA	tag, u32 n, n bytes
 *	IPC_F_FD	tag only: stands for the next descriptor of the frame
 *
 * Message bodies never travel in frames: they travel as descriptors of
 * read-only spool files or sealed memfds (ipc_memfd_sealed()), so the frames
 * stay small (IPC_MAX_FRAME) and no role copies a message through another.
 *
 * Why SOCK_SEQPACKET: the kernel keeps record boundaries, so one sendmsg()
 * is one frame and one recvmsg() returns exactly one frame, with its
 * descriptors attached to it and to no other: there is no reassembly state
 * machine to get wrong on the receiving side, and descriptors cannot be
 * split from or merged into the wrong frame as they can on a byte stream.
 * Unlike SOCK_DGRAM it is connected: the peer's exit is seen as end of file.
 * A record is sent whole or not at all (AF_UNIX sends are atomic for
 * datagrams and seqpackets), so "partial send" here means a frame that
 * could not be sent yet (EAGAIN): it stays at the head of the output queue
 * and is retried when poll() reports POLLOUT.
 *
 * Building (OpenSMTPD m_create style; one frame at a time per channel):
 *
 *	ipc_create(ch, MSG_DECODE, qid);
 *	ipc_add_u32(ch, precedence);
 *	ipc_add_fd(ch, spoolfd);		(ownership passes to ch)
 *	if (ipc_close(ch) == -1)		(queues the frame)
 *		ipc_fatal(ch);
 *	... ipc_flush() from the poll loop, or ipc_flush_wait() ...
 *
 * The add functions record the first error and ipc_close() reports it, so
 * a sequence of adds is checked once.  Descriptors given to ipc_add_fd()
 * belong to the channel from then on: closed once the frame has gone (the
 * receiver holds its own copy), or when the frame is abandoned.
 *
 * Reading (OpenSMTPD m_msg style):
 *
 *	struct ipc_msg m;
 *	switch (ipc_recv(ch, &m)) { case 1: ... }
 *	switch (m.type) {
 *	case MSG_DECODE:
 *		if (ipc_get_u32(&m, &prec) == -1 ||
 *		    ipc_get_fd(&m, &fd) == -1 || ipc_end(&m) == -1)
 *			ipc_msg_fatal(&m);
 *
 * The getters check the field's tag, its exact size and the remaining
 * length before reading; ipc_end() checks that no byte and no descriptor is
 * left over.  Strings and data the getters return point into m and stay
 * valid until the next ipc_recv() into m or ipc_msg_free(m).  Any failure returns -1 with the reason in m.err, and the
 * program treats it as fatal: a peer that sends a malformed frame is broken
 * or compromised, and the supervisor restarts it.  ipc_msg_free() (called by
 * ipc_end() and by every failing getter) closes the descriptors the reader
 * did not take, so an unexpected descriptor never lingers in the receiver.
 *
 * Receiving descriptors: each frame carries at most IPC_MAX_FDS; a frame
 * whose descriptor count differs from its header's nfds, or that was cut
 * (MSG_TRUNC, MSG_CTRUNC), is refused and whatever descriptors came with it
 * are closed.  They arrive close-on-exec.
 *
 * Library code: every function returns -1 and sets a reason (ch->err or
 * m->err); only programs decide what is fatal, usually with ipc_fatal().
 */
#ifndef MMGUARD_IPC_H
#define MMGUARD_IPC_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "guard/common/buf.h"

#define IPC_HDR_LEN	20
/* Whole frame, header included.  Well under the default socket buffer. */
#define IPC_MAX_FRAME	65536
#define IPC_MAX_PAYLOAD	(IPC_MAX_FRAME - IPC_HDR_LEN)
#define IPC_MAX_FDS	8
/* Frames waiting on one channel: a peer that stops reading is broken. */
#define IPC_MAX_QUEUED	1024
#define IPC_ERR_LEN	160

/* Field tags. */
#define IPC_F_U32	1
#define IPC_F_U64	2
#define IPC_F_STRING	3
#define IPC_F_DATA	4
#define IPC_F_FD	5

struct ipc_frame;			/* a queued, encoded frame */

struct ipc_chan {
	int			 fd;
	const char		*name;	/* the peer, for messages */
	TAILQ_HEAD(, ipc_frame)	 outq;
	size_t			 nqueued;
	int			 eof;	/* the peer closed its end */

	/* The frame being built. */
	int			 building;
	int			 failed;
	uint32_t		 b_type;
	uint64_t		 b_id;
	struct buf		 b_payload;
	int			 b_fds[IPC_MAX_FDS];
	size_t			 b_nfds;

	char			 err[IPC_ERR_LEN];
};

/* A received frame: header, payload and descriptors, with a read cursor. */
struct ipc_msg {
	uint32_t	 type;
	uint64_t	 id;
	size_t		 len;			/* payload bytes */
	uint8_t		 data[IPC_MAX_PAYLOAD];
	size_t		 pos;			/* next payload byte */
	int		 fds[IPC_MAX_FDS];
	size_t		 nfds;
	size_t		 fdpos;			/* next descriptor */
	char		 err[IPC_ERR_LEN];
};

/*
 * Channels.  ipc_socketpair() makes a SOCK_SEQPACKET pair, close-on-exec;
 * ipc_chan_init() adopts one end (and makes it non-blocking); name is the
 * peer's name and must outlive the channel.  ipc_chan_free() drops queued
 * frames (closing their descriptors) and closes the socket.
 */
int	 ipc_socketpair(int sv[2], char *err, size_t errsz);
int	 ipc_chan_init(struct ipc_chan *, int fd, const char *name);
void	 ipc_chan_free(struct ipc_chan *);

/* Building and queueing a frame. */
void	 ipc_create(struct ipc_chan *, uint32_t type, uint64_t id);
int	 ipc_add_u32(struct ipc_chan *, uint32_t);
int	 ipc_add_u64(struct ipc_chan *, uint64_t);
int	 ipc_add_string(struct ipc_chan *, const char *);
int	 ipc_add_data(struct ipc_chan *, const void *, size_t);
int	 ipc_add_fd(struct ipc_chan *, int fd);
int	 ipc_close(struct ipc_chan *);

/*
 * Sending.  ipc_flush() sends queued frames until the queue is empty or the
 * socket is full; it returns the number of frames still queued, or -1.
 * ipc_events() is what to ask poll() for.  ipc_flush_wait() blocks (poll)
 * until everything queued has gone; for simple request/reply roles.
 */
int	 ipc_flush(struct ipc_chan *);
short	 ipc_events(const struct ipc_chan *);
int	 ipc_flush_wait(struct ipc_chan *);
size_t	 ipc_queued(const struct ipc_chan *);

/*
 * Receiving.  ipc_recv() reads at most one frame: 1 when m holds one, 0
 * when none is waiting (EAGAIN), -1 on error or end of file (ch->eof set,
 * reason "<peer> closed the channel").  ipc_recv_wait() blocks until a
 * frame arrives (1) or fails (-1).  A frame in m owns its descriptors until
 * they are taken with ipc_get_fd() or the message is ended or freed.
 */
int	 ipc_recv(struct ipc_chan *, struct ipc_msg *);
int	 ipc_recv_wait(struct ipc_chan *, struct ipc_msg *);

/*
 * Parse one received frame (what ipc_recv() calls after recvmsg): checks the
 * header against the record's length and descriptor count.  Takes the
 * descriptors in every case: kept in m on success, closed on failure.
 * Exposed for the fuzzer and for tests.
 */
int	 ipc_frame_parse(struct ipc_msg *, const uint8_t *frame, size_t len,
	    const int *fds, size_t nfds);

/* Reading a frame's fields in order. */
int	 ipc_check_type(struct ipc_msg *, uint32_t type);
int	 ipc_get_u32(struct ipc_msg *, uint32_t *);
int	 ipc_get_u64(struct ipc_msg *, uint64_t *);
int	 ipc_get_string(struct ipc_msg *, const char **);
int	 ipc_get_data(struct ipc_msg *, const void **, size_t *);
int	 ipc_get_data_exact(struct ipc_msg *, void *, size_t);
int	 ipc_get_fd(struct ipc_msg *, int *);
int	 ipc_end(struct ipc_msg *);
void	 ipc_msg_free(struct ipc_msg *);

/* For programs: log the reason and exit. */
void	 ipc_fatal(const struct ipc_chan *) __attribute__((noreturn));
void	 ipc_msg_fatal(const struct ipc_msg *) __attribute__((noreturn));

/*
 * A sealed, read-only memfd holding a copy of buf: memfd_create, write,
 * then F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL, and the
 * descriptor is reopened O_RDONLY (through /proc/self/fd) so that the
 * receiver can neither change the bytes nor the seals.  The descriptor is
 * close-on-exec, offset 0.  -1 with a reason on failure.
 */
int	 ipc_memfd_sealed(const char *name, const void *buf, size_t len,
	    char *err, size_t errsz);

#endif
