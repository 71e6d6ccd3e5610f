# bash completion for vrctl, installed as
# $datadir/bash-completion/completions/vrctl.
#
# The words come from vrctl itself (`vrctl __complete ...`, complete.c):
# verbs from its command table, each verb's options from the getopt table
# its handler parses with, enum values from the protocol's method table,
# topology names from the built-ins and the search path, running instance
# names from the daemon's status.  Nothing is listed here, so nothing here
# can drift from vrctl.

_vrctl_words() { # _vrctl_words ARGS...: vrctl __complete ARGS, quietly
	"$_vrctl_bin" "${_vrctl_global[@]}" __complete "$@" 2>/dev/null
}

_vrctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i=1 w verb='' sub='' npos=0 opts
	_vrctl_bin=${COMP_WORDS[0]}
	_vrctl_global=()
	COMPREPLY=()

	# the global options before the verb (-s PATH matters for instances)
	while [ "$i" -lt "$COMP_CWORD" ]; do
		w=${COMP_WORDS[i]}
		case $w in
		-s | --socket | --timeout)
			_vrctl_global+=("$w" "${COMP_WORDS[i + 1]}")
			i=$((i + 2))
			continue
			;;
		-*) _vrctl_global+=("$w") ;;
		*)
			verb=$w
			break
			;;
		esac
		i=$((i + 1))
	done

	if [ -z "$verb" ]; then
		case $prev in
		-s | --socket)
			COMPREPLY=($(compgen -f -- "$cur"))
			return
			;;
		--timeout) return ;;
		esac
		if [[ $cur == -* ]]; then
			opts=$(_vrctl_words options | sed 's/=$//')
		else
			opts=$(_vrctl_words verbs)
		fi
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi

	# the words after the verb: its sub-verb, positional count
	i=$((i + 1))
	if [[ $verb == autostart || $verb == bench ]] &&
		[ "$i" -lt "$COMP_CWORD" ]; then
		case ${COMP_WORDS[i]} in
		list | add | remove | compare)
			sub=${COMP_WORDS[i]}
			i=$((i + 1))
			;;
		esac
	fi
	opts=$(_vrctl_words options "$verb" ${sub:+"$sub"})
	while [ "$i" -lt "$COMP_CWORD" ]; do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			# an option that takes an argument eats the next word
			grep -qx -- "$w=" <<<"$opts" && i=$((i + 1))
		else
			npos=$((npos + 1))
		fi
		i=$((i + 1))
	done

	# the argument of an option: its enum values, files, or nothing
	if [[ $prev == -* ]] && grep -qx -- "$prev=" <<<"$opts"; then
		local values
		values=$(_vrctl_words values "$verb" ${sub:+"$sub"} "$prev")
		if [ -n "$values" ]; then
			COMPREPLY=($(compgen -W "$values" -- "$cur"))
		else
			case $prev in
			--file | --out | --image | --socket | -f | -o | -s)
				COMPREPLY=($(compgen -f -- "$cur"))
				;;
			esac
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(sed 's/=$//' <<<"$opts")" -- "$cur"))
		return
	fi

	case $verb:$sub:$npos in
	autostart::0) COMPREPLY=($(compgen -W "list add remove" -- "$cur")) ;;
	bench::0)
		COMPREPLY=($(compgen -W "compare $(_vrctl_words instances)" \
			-- "$cur"))
		;;
	start::0 | topology::0 | autostart:add:0)
		COMPREPLY=($(compgen -W "$(_vrctl_words topologies | sort -u)" \
			-- "$cur") $(compgen -f -X '!*.json' -- "$cur"))
		;;
	stop::0 | status::0 | autostart:remove:0 | migrate::0)
		COMPREPLY=($(compgen -W "$(_vrctl_words instances)" -- "$cur"))
		;;
	experiment::0) COMPREPLY=($(compgen -f -- "$cur")) ;;
	bench:compare:*) COMPREPLY=($(compgen -d -- "$cur")) ;;
	esac
}
complete -F _vrctl vrctl
