/*
 * JSON files as input: one parser for every JSON file vrouterd and vrctl
 * read (topology files, topology_text, experiment files, bench records).
 * It accepts exactly one JSON value and refuses, with "LABEL: line N:
 * reason" or "LABEL: $.json.path: reason":
 *   - a NUL byte in the text, and anything but blanks after the value;
 *   - a truncated text ("unexpected end of file");
 *   - single-quoted strings and raw control characters in strings (json-c
 *     accepts both even with JSON_TOKENER_STRICT);
 *   - a string or key holding U+0000 ("\u0000"): json-c keeps it, but
 *     every C string read from it would be cut short there;
 *   - a key given twice in one object: json-c silently keeps the last.
 *
 * How: json-c parses (JSON_TOKENER_STRICT); a second pass scans the text it
 * accepted, decodes every key and escaped string with json-c itself, and
 * keeps each object's keys in a json-c object used as a set.  Decoding with
 * json-c means "a" and "\u0061" are the same key, as they are in the tree.
 */
#ifndef VR_JTEXT_H
#define VR_JTEXT_H

#include <stddef.h>

#include <json-c/json.h>

/* The value, or NULL with err set. */
json_object *jtext_parse(const char *label, const char *text, size_t len,
			 char *err, size_t errlen);

/*
 * json-c's strict parse (JSON_TOKENER_STRICT | tflags, at most depth deep)
 * of text[0..len): the value (NULL: none, or "null" with *e success), its
 * error and where it stopped.  A number at the very end is complete only
 * at a terminator, so "continue" is retried with one (*off = len).
 */
json_object *jtext_parse_strict(const char *text, size_t len, int depth,
				int tflags, enum json_tokener_error *e,
				size_t *off);

/*
 * The second pass alone, for a text json-c has accepted as one value (a
 * protocol line): 0, or -1 with err set.  JTEXT_KEYS_ONLY checks keys
 * (given twice, U+0000) and leaves string values to the caller.
 */
#define JTEXT_KEYS_ONLY 0x1
int jtext_scan(const char *label, const char *text, size_t len, int flags,
	       char *err, size_t errlen);

/*
 * Read path (a regular file of at most max bytes, file_readat_len) and
 * parse it; label names it in messages (NULL: path).  NULL with err set:
 * "PATH: not a regular file", "PATH: file too large (more than N bytes)".
 */
json_object *jtext_read(const char *path, const char *label, size_t max,
			char *err, size_t errlen);
/*
 * The same relative to dirfd with file_readat_len's flags (FR_NOFOLLOW),
 * and, when textp is not NULL, the text read as well (*textp the caller
 * frees, *lenp its length; both untouched on failure).
 */
json_object *jtext_readat(int dirfd, const char *path, int flags,
			  const char *label, size_t max, char **textp,
			  size_t *lenp, char *err, size_t errlen);

/* Is s printable as it is (no byte below 0x20, no DEL)? */
int jtext_printable(const char *s);

/* For files whose strings are all names and one-line text: 0 when every
 * key and string of j is printable, else -1 with "LABEL: $.path: a
 * string with a control character". */
int jtext_check_printable(const char *label, json_object *j, char *err,
			  size_t errlen);

#endif
