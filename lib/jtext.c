/*
 * JSON files as input (jtext.h): json-c's strict parse, then one scan of
 * the accepted text for what json-c lets through (duplicate keys, U+0000
 * in strings, single quotes, raw control characters), so that every
 * reader of a JSON file gets the same refusals with the same wording.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtext.h"
#include "log.h"
#include "util.h"

#define JTEXT_DEPTH 32 /* json-c's default; the scan never goes deeper */

struct jframe {
	int obj;	   /* object (1) or array (0) */
	json_object *keys; /* object: keys seen, as a set */
	const char *key;   /* object: current key, raw (for the path) */
	size_t keylen;
	size_t idx;   /* array: current index */
	int want_key; /* object: the next string is a key */
};

static int
line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

static void
scan_path(const struct jframe *f, int depth, char *buf, size_t len)
{
	size_t o;

	vr_strlcpy(buf, "$", len);
	for (int i = 0; i < depth; i++) {
		o = strlen(buf);
		if (f[i].obj && f[i].key != NULL)
			snprintf(buf + o, len - o, ".%.*s",
				 (int)(f[i].keylen > 48 ? 48 : f[i].keylen),
				 f[i].key);
		else if (!f[i].obj)
			snprintf(buf + o, len - o, "[%zu]", f[i].idx);
	}
}

/* A string token text[s..e) (quotes included), decoded by json-c. */
static json_object *
decode(const char *text, size_t s, size_t e)
{
	char *tmp = xmalloc(e - s + 1);
	json_object *j;

	memcpy(tmp, text + s, e - s);
	tmp[e - s] = '\0';
	j = json_tokener_parse(tmp);
	free(tmp);
	return j;
}

/*
 * A key (text[s..], decoded: d, NULL when it has no escapes) of the
 * innermost object f[depth - 1]: no U+0000, not seen before in it.
 */
static int
scan_key(const char *label, const char *text, size_t s, struct jframe *f,
	 int depth, json_object *d, char *err, size_t errlen)
{
	struct jframe *top = &f[depth - 1];
	char *k, path[256];
	int rc = -1;

	if (d != NULL && strlen(json_object_get_string(d)) !=
			     (size_t)json_object_get_string_len(d)) {
		scan_path(f, depth, path, sizeof(path));
		msgf(err, errlen,
		     "%s: %s: a key with a NUL character (\\u0000)", label,
		     path);
		return -1;
	}
	k = d ? xstrdup(json_object_get_string(d))
	      : xasprintf("%.*s", (int)top->keylen, top->key);
	if (json_object_object_get_ex(top->keys, k, NULL)) {
		scan_path(f, depth, path, sizeof(path));
		msgf(err, errlen,
		     "%s: %s: key given twice in one object (line %d)", label,
		     path, line_of(text, s));
	} else {
		json_object_object_add(top->keys, k, NULL);
		rc = 0;
	}
	free(k);
	return rc;
}

int
jtext_scan(const char *label, const char *text, size_t len, int flags,
	   char *err, size_t errlen)
{
	struct jframe f[JTEXT_DEPTH + 1];
	int depth = 0, rc = -1;
	char path[256];
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		struct jframe *top = depth ? &f[depth - 1] : NULL;

		if (c == '{' || c == '[') {
			if (depth == JTEXT_DEPTH) {
				msgf(err, errlen,
				     "%s: line %d: nested deeper than %d",
				     label, line_of(text, i), JTEXT_DEPTH);
				goto out;
			}
			memset(&f[depth], 0, sizeof(f[depth]));
			f[depth].obj = c == '{';
			f[depth].want_key = c == '{';
			if (c == '{')
				f[depth].keys = json_object_new_object();
			depth++;
			i++;
		} else if (c == '}' || c == ']') {
			if (depth > 0) {
				json_object_put(f[depth - 1].keys);
				depth--;
			}
			i++;
		} else if (c == ',') {
			if (top && top->obj)
				top->want_key = 1;
			else if (top)
				top->idx++;
			i++;
		} else if (c == ':') {
			if (top)
				top->want_key = 0;
			i++;
		} else if (c == '"' || c == '\'') {
			size_t s = i, e;
			int esc = 0;
			json_object *d = NULL;

			if (c == '\'') {
				msgf(err, errlen,
				     "%s: line %d: not valid JSON: a string in "
				     "single quotes (use \")",
				     label, line_of(text, i));
				goto out;
			}
			for (i++; i < len && text[i] != '"'; i++) {
				if ((unsigned char)text[i] < 0x20 &&
				    !(flags & JTEXT_KEYS_ONLY)) {
					msgf(err, errlen,
					     "%s: line %d: not valid JSON: a "
					     "control character in a string "
					     "(write it as \\uXXXX)",
					     label, line_of(text, i));
					goto out;
				}
				if (text[i] == '\\') {
					esc = 1;
					i++;
				}
			}
			if (i >= len) { /* json-c ended it: cannot happen */
				msgf(err, errlen,
				     "%s: line %d: not valid JSON: a string "
				     "without its end",
				     label, line_of(text, s));
				goto out;
			}
			e = ++i;
			if (esc && (d = decode(text, s, e)) == NULL) {
				msgf(err, errlen,
				     "%s: line %d: not valid JSON: a bad "
				     "string",
				     label, line_of(text, s));
				goto out;
			}
			if (top && top->obj && top->want_key) {
				top->key = text + s + 1;
				top->keylen = e - s - 2;
				if (scan_key(label, text, s, f, depth, d, err,
					     errlen) == -1) {
					json_object_put(d);
					goto out;
				}
			} else if (d && !(flags & JTEXT_KEYS_ONLY) &&
				   strlen(json_object_get_string(d)) !=
				       (size_t)json_object_get_string_len(d)) {
				scan_path(f, depth, path, sizeof(path));
				msgf(err, errlen,
				     "%s: %s: a string with a NUL character "
				     "(\\u0000)",
				     label, path);
				json_object_put(d);
				goto out;
			}
			json_object_put(d);
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
		} else {
			/* a number or a literal */
			while (i < len && !strchr(",:]} \t\r\n", text[i]))
				i++;
		}
	}
	rc = 0;
out:
	while (depth > 0)
		json_object_put(f[--depth].keys);
	return rc;
}

json_object *
jtext_parse_strict(const char *text, size_t len, int depth, int tflags,
		   enum json_tokener_error *e, size_t *off)
{
	struct json_tokener *tok = json_tokener_new_ex(depth);
	json_object *j;

	if (tok == NULL)
		fatal("%s", __func__);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | tflags);
	j = json_tokener_parse_ex(tok, text, (int)len);
	*e = json_tokener_get_error(tok);
	*off = json_tokener_get_parse_end(tok);
	if (j == NULL && *e == json_tokener_continue) {
		j = json_tokener_parse_ex(tok, "", 1);
		*e = json_tokener_get_error(tok);
		if (*e != json_tokener_success)
			*e = json_tokener_continue;
		*off = len;
	}
	if (*e != json_tokener_success) {
		json_object_put(j);
		j = NULL;
	}
	json_tokener_free(tok);
	return j;
}

json_object *
jtext_parse(const char *label, const char *text, size_t len, char *err,
	    size_t errlen)
{
	json_object *j, *prefix;
	enum json_tokener_error e, e2;
	const char *nul;
	size_t off, off2;

	if ((nul = memchr(text, '\0', len)) != NULL) {
		msgf(err, errlen, "%s: line %d: not valid JSON: a NUL byte",
		     label, line_of(text, (size_t)(nul - text)));
		return NULL;
	}
	if (len > INT_MAX - 1) {
		msgf(err, errlen, "%s: too large", label);
		return NULL;
	}
	j = jtext_parse_strict(text, len, JTEXT_DEPTH, 0, &e, &off);
	if (off > len)
		off = len;
	if (e == json_tokener_continue) {
		msgf(err, errlen,
		     "%s: line %d: not valid JSON: unexpected end of file",
		     label, line_of(text, len));
		return NULL;
	}
	if (e != json_tokener_success) {
		/* strict json-c stops at text after a complete value too */
		prefix =
		    jtext_parse_strict(text, off, JTEXT_DEPTH, 0, &e2, &off2);
		if (prefix != NULL) {
			json_object_put(prefix);
			msgf(err, errlen,
			     "%s: line %d: not valid JSON: more text after "
			     "the value",
			     label, line_of(text, off));
		} else
			msgf(err, errlen, "%s: line %d: not valid JSON: %s",
			     label, line_of(text, off),
			     json_tokener_error_desc(e));
		return NULL;
	}
	if (j == NULL) {
		msgf(err, errlen, "%s: line %d: not valid JSON: null", label,
		     line_of(text, off));
		return NULL;
	}
	for (; off < len; off++)
		if (!strchr(" \t\r\n", text[off])) {
			json_object_put(j);
			msgf(err, errlen,
			     "%s: line %d: not valid JSON: more text after "
			     "the value",
			     label, line_of(text, off));
			return NULL;
		}
	if (jtext_scan(label, text, len, 0, err, errlen) == -1) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

json_object *
jtext_readat(int dirfd, const char *path, int flags, const char *label,
	     size_t max, char **textp, size_t *lenp, char *err, size_t errlen)
{
	size_t len;
	char *text = file_readat_len(dirfd, path, max, flags, &len);
	json_object *j;

	if (label == NULL)
		label = path;
	if (text == NULL) {
		if (errno == EFBIG)
			msgf(err, errlen,
			     "%s: file too large (more than %zu "
			     "bytes)",
			     label, max);
		else
			msgf(err, errlen, "%s: %s", label,
			     file_strerror(errno));
		return NULL;
	}
	j = jtext_parse(label, text, len, err, errlen);
	if (j != NULL && textp != NULL) {
		*textp = text;
		if (lenp != NULL)
			*lenp = len;
	} else
		free(text);
	return j;
}

json_object *
jtext_read(const char *path, const char *label, size_t max, char *err,
	   size_t errlen)
{
	return jtext_readat(AT_FDCWD, path, 0, label, max, NULL, NULL, err,
			    errlen);
}

int
jtext_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
printable_at(const char *label, json_object *j, char *path, size_t len,
	     char *err, size_t errlen)
{
	size_t o = strlen(path);
	int rc = 0;

	if (json_object_is_type(j, json_type_string)) {
		if (jtext_printable(json_object_get_string(j)))
			return 0;
		msgf(err, errlen, "%s: %s: a string with a control character",
		     label, path);
		return -1;
	}
	if (json_object_is_type(j, json_type_array)) {
		for (size_t i = 0; rc == 0 && i < json_object_array_length(j);
		     i++) {
			snprintf(path + o, len - o, "[%zu]", i);
			rc =
			    printable_at(label, json_object_array_get_idx(j, i),
					 path, len, err, errlen);
		}
	} else if (json_object_is_type(j, json_type_object)) {
		json_object_object_foreach(j, key, val)
		{
			snprintf(path + o, len - o, ".%.48s", key);
			if (!jtext_printable(key)) {
				msgf(err, errlen,
				     "%s: %s: a key with a control character",
				     label, path);
				return -1;
			}
			if ((rc = printable_at(label, val, path, len, err,
					       errlen)) == -1)
				break;
		}
	}
	path[o] = '\0';
	return rc;
}

int
jtext_check_printable(const char *label, json_object *j, char *err,
		      size_t errlen)
{
	char path[512] = "$";

	return printable_at(label, j, path, sizeof(path), err, errlen);
}
