#!/bin/bash

__metricat_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__metricat_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__metricat_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__metricat_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_metricat() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __metricat_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    send|listen|convert|load|tail-log|help)
        # Offer subcommand argument completions
        "_metricat_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'send listen convert load tail-log help' -- "${cur}"))
        ;;
    esac
}

_metricat_send() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose -v --strict --influx-sort-fields --no-influx-sort-fields --influx-uint-support --no-influx-uint-support --influx-omit-timestamp --no-influx-omit-timestamp --json-batch --no-json-batch --json-strict --no-json-strict --wavefront-use-strict --no-wavefront-use-strict --wavefront-disable-prefix-conversion --no-wavefront-disable-prefix-conversion --datadog-extensions --no-datadog-extensions --datadog-keep-container-tag --no-datadog-keep-container-tag --datadog-distributions --no-datadog-distributions --datadog-timestamps --no-datadog-timestamps --graphite-tag-support --no-graphite-tag-support --prometheus-ignore-timestamp --no-prometheus-ignore-timestamp --prometheus-type-tag --no-prometheus-type-tag --prometheus-export-timestamp --no-prometheus-export-timestamp --prometheus-sort-metrics --no-prometheus-sort-metrics --prometheus-string-as-label --no-prometheus-string-as-label --prometheus-compact-encoding --no-prometheus-compact-encoding --csv-trim-space --no-csv-trim-space --version -h --help)
    repeating_options=(--field --tag --default-tags --templates --json-nested-fields-include --json-nested-fields-exclude --tag-keys --json-string-fields --wavefront-source-override --prometheus-metric-types-counter --prometheus-metric-types-gauge --csv-column-names --csv-column-types --csv-tag-columns --csv-skip-values)
    non_repeating_options=(--format --from --name --every --count --duration --timestamp --replay --rate --max-datagram --retry --retry-timeout --write-timeout --max-line --prefix --metric-name --influx-timestamp-precision --precision --influx-max-line-bytes --json-timestamp-units --json-timestamp-format --json-input-shape --json-name-key --json-query --json-time-key --json-time-format --json-timezone --metric-separator --statsd-tag-style --separator --template --graphite-tag-sanitize-mode --graphite-separator --graphite-strict-sanitize-regex --prometheus-metric-version --csv-header-row-count --csv-measurement-column --csv-timestamp-column --csv-timestamp-format --csv-timezone --csv-delimiter --csv-comment --csv-skip-rows --csv-skip-columns)
    __metricat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--format')
        __metricat_add_completions -W 'influx'$'\n''json'$'\n''wavefront'$'\n''statsd'$'\n''graphite'$'\n''prometheus'$'\n''csv'
        return
        ;;
    '--from')
        return
        ;;
    '--name')
        return
        ;;
    '--field')
        return
        ;;
    '--tag')
        return
        ;;
    '--every')
        return
        ;;
    '--count')
        return
        ;;
    '--duration')
        return
        ;;
    '--timestamp')
        return
        ;;
    '--replay')
        return
        ;;
    '--rate')
        return
        ;;
    '--max-datagram')
        return
        ;;
    '--retry')
        return
        ;;
    '--retry-timeout')
        return
        ;;
    '--write-timeout')
        return
        ;;
    '--max-line')
        return
        ;;
    '--default-tags')
        return
        ;;
    '--prefix')
        return
        ;;
    '--metric-name')
        return
        ;;
    '--templates')
        return
        ;;
    '--influx-timestamp-precision'|'--precision')
        __metricat_add_completions -W 'ns'$'\n''us'$'\n''ms'$'\n''s'
        return
        ;;
    '--influx-max-line-bytes')
        return
        ;;
    '--json-timestamp-units')
        return
        ;;
    '--json-timestamp-format')
        return
        ;;
    '--json-nested-fields-include')
        return
        ;;
    '--json-nested-fields-exclude')
        return
        ;;
    '--json-input-shape')
        __metricat_add_completions -W 'auto'$'\n''metric'$'\n''flat'
        return
        ;;
    '--json-name-key')
        return
        ;;
    '--tag-keys')
        return
        ;;
    '--json-string-fields')
        return
        ;;
    '--json-query')
        return
        ;;
    '--json-time-key')
        return
        ;;
    '--json-time-format')
        return
        ;;
    '--json-timezone')
        return
        ;;
    '--wavefront-source-override')
        return
        ;;
    '--metric-separator')
        return
        ;;
    '--statsd-tag-style')
        __metricat_add_completions -W 'dogstatsd'$'\n''influx'$'\n''none'
        return
        ;;
    '--separator')
        return
        ;;
    '--template')
        return
        ;;
    '--graphite-tag-sanitize-mode')
        __metricat_add_completions -W 'strict'$'\n''compatible'
        return
        ;;
    '--graphite-separator')
        return
        ;;
    '--graphite-strict-sanitize-regex')
        return
        ;;
    '--prometheus-metric-version')
        return
        ;;
    '--prometheus-metric-types-counter')
        return
        ;;
    '--prometheus-metric-types-gauge')
        return
        ;;
    '--csv-header-row-count')
        return
        ;;
    '--csv-column-names')
        return
        ;;
    '--csv-column-types')
        return
        ;;
    '--csv-tag-columns')
        return
        ;;
    '--csv-measurement-column')
        return
        ;;
    '--csv-timestamp-column')
        return
        ;;
    '--csv-timestamp-format')
        return
        ;;
    '--csv-timezone')
        return
        ;;
    '--csv-delimiter')
        return
        ;;
    '--csv-comment')
        return
        ;;
    '--csv-skip-rows')
        return
        ;;
    '--csv-skip-columns')
        return
        ;;
    '--csv-skip-values')
        return
        ;;
    esac
}

_metricat_listen() {
    repeating_flags=()
    non_repeating_flags=(--show-source --raw --quiet -q --json --stats --reuse-port --sequence --delete-counters --no-delete-counters --delete-gauges --no-delete-gauges --delete-sets --no-delete-sets --delete-timings --no-delete-timings --round-interval --no-round-interval --counter-rates --no-counter-rates --verbose -v --strict --influx-sort-fields --no-influx-sort-fields --influx-uint-support --no-influx-uint-support --influx-omit-timestamp --no-influx-omit-timestamp --json-batch --no-json-batch --json-strict --no-json-strict --wavefront-use-strict --no-wavefront-use-strict --wavefront-disable-prefix-conversion --no-wavefront-disable-prefix-conversion --datadog-extensions --no-datadog-extensions --datadog-keep-container-tag --no-datadog-keep-container-tag --datadog-distributions --no-datadog-distributions --datadog-timestamps --no-datadog-timestamps --graphite-tag-support --no-graphite-tag-support --prometheus-ignore-timestamp --no-prometheus-ignore-timestamp --prometheus-type-tag --no-prometheus-type-tag --prometheus-export-timestamp --no-prometheus-export-timestamp --prometheus-sort-metrics --no-prometheus-sort-metrics --prometheus-string-as-label --no-prometheus-string-as-label --prometheus-compact-encoding --no-prometheus-compact-encoding --csv-trim-space --no-csv-trim-space --version -h --help)
    repeating_options=(--percentiles --forward --default-tags --templates --json-nested-fields-include --json-nested-fields-exclude --tag-keys --json-string-fields --wavefront-source-override --prometheus-metric-types-counter --prometheus-metric-types-gauge --csv-column-names --csv-column-types --csv-tag-columns --csv-skip-values)
    non_repeating_options=(--from --to --count --timeout --expect --expect-metric --rcvbuf --max-connections --read-timeout --ready-file --socket-mode --record --seq-key --aggregate --percentile-limit --max-ttl --max-series --max-set-members --forward-format --forward-queue --serve-metrics --max-line --prefix --metric-name --influx-timestamp-precision --precision --influx-max-line-bytes --json-timestamp-units --json-timestamp-format --json-input-shape --json-name-key --json-query --json-time-key --json-time-format --json-timezone --metric-separator --statsd-tag-style --separator --template --graphite-tag-sanitize-mode --graphite-separator --graphite-strict-sanitize-regex --prometheus-metric-version --csv-header-row-count --csv-measurement-column --csv-timestamp-column --csv-timestamp-format --csv-timezone --csv-delimiter --csv-comment --csv-skip-rows --csv-skip-columns)
    __metricat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--from')
        return
        ;;
    '--to')
        __metricat_add_completions -W 'influx'$'\n''json'$'\n''wavefront'$'\n''statsd'$'\n''graphite'$'\n''prometheus'$'\n''csv'
        return
        ;;
    '--count')
        return
        ;;
    '--timeout')
        return
        ;;
    '--expect')
        return
        ;;
    '--expect-metric')
        return
        ;;
    '--rcvbuf')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--read-timeout')
        return
        ;;
    '--ready-file')
        return
        ;;
    '--socket-mode')
        return
        ;;
    '--record')
        return
        ;;
    '--seq-key')
        return
        ;;
    '--aggregate')
        return
        ;;
    '--percentiles')
        return
        ;;
    '--percentile-limit')
        return
        ;;
    '--max-ttl')
        return
        ;;
    '--max-series')
        return
        ;;
    '--max-set-members')
        return
        ;;
    '--forward')
        return
        ;;
    '--forward-format')
        __metricat_add_completions -W 'influx'$'\n''json'$'\n''wavefront'$'\n''statsd'$'\n''graphite'$'\n''prometheus'$'\n''csv'
        return
        ;;
    '--forward-queue')
        return
        ;;
    '--serve-metrics')
        return
        ;;
    '--max-line')
        return
        ;;
    '--default-tags')
        return
        ;;
    '--prefix')
        return
        ;;
    '--metric-name')
        return
        ;;
    '--templates')
        return
        ;;
    '--influx-timestamp-precision'|'--precision')
        __metricat_add_completions -W 'ns'$'\n''us'$'\n''ms'$'\n''s'
        return
        ;;
    '--influx-max-line-bytes')
        return
        ;;
    '--json-timestamp-units')
        return
        ;;
    '--json-timestamp-format')
        return
        ;;
    '--json-nested-fields-include')
        return
        ;;
    '--json-nested-fields-exclude')
        return
        ;;
    '--json-input-shape')
        __metricat_add_completions -W 'auto'$'\n''metric'$'\n''flat'
        return
        ;;
    '--json-name-key')
        return
        ;;
    '--tag-keys')
        return
        ;;
    '--json-string-fields')
        return
        ;;
    '--json-query')
        return
        ;;
    '--json-time-key')
        return
        ;;
    '--json-time-format')
        return
        ;;
    '--json-timezone')
        return
        ;;
    '--wavefront-source-override')
        return
        ;;
    '--metric-separator')
        return
        ;;
    '--statsd-tag-style')
        __metricat_add_completions -W 'dogstatsd'$'\n''influx'$'\n''none'
        return
        ;;
    '--separator')
        return
        ;;
    '--template')
        return
        ;;
    '--graphite-tag-sanitize-mode')
        __metricat_add_completions -W 'strict'$'\n''compatible'
        return
        ;;
    '--graphite-separator')
        return
        ;;
    '--graphite-strict-sanitize-regex')
        return
        ;;
    '--prometheus-metric-version')
        return
        ;;
    '--prometheus-metric-types-counter')
        return
        ;;
    '--prometheus-metric-types-gauge')
        return
        ;;
    '--csv-header-row-count')
        return
        ;;
    '--csv-column-names')
        return
        ;;
    '--csv-column-types')
        return
        ;;
    '--csv-tag-columns')
        return
        ;;
    '--csv-measurement-column')
        return
        ;;
    '--csv-timestamp-column')
        return
        ;;
    '--csv-timestamp-format')
        return
        ;;
    '--csv-timezone')
        return
        ;;
    '--csv-delimiter')
        return
        ;;
    '--csv-comment')
        return
        ;;
    '--csv-skip-rows')
        return
        ;;
    '--csv-skip-columns')
        return
        ;;
    '--csv-skip-values')
        return
        ;;
    esac
}

_metricat_convert() {
    repeating_flags=()
    non_repeating_flags=(--verbose -v --strict --influx-sort-fields --no-influx-sort-fields --influx-uint-support --no-influx-uint-support --influx-omit-timestamp --no-influx-omit-timestamp --json-batch --no-json-batch --json-strict --no-json-strict --wavefront-use-strict --no-wavefront-use-strict --wavefront-disable-prefix-conversion --no-wavefront-disable-prefix-conversion --datadog-extensions --no-datadog-extensions --datadog-keep-container-tag --no-datadog-keep-container-tag --datadog-distributions --no-datadog-distributions --datadog-timestamps --no-datadog-timestamps --graphite-tag-support --no-graphite-tag-support --prometheus-ignore-timestamp --no-prometheus-ignore-timestamp --prometheus-type-tag --no-prometheus-type-tag --prometheus-export-timestamp --no-prometheus-export-timestamp --prometheus-sort-metrics --no-prometheus-sort-metrics --prometheus-string-as-label --no-prometheus-string-as-label --prometheus-compact-encoding --no-prometheus-compact-encoding --csv-trim-space --no-csv-trim-space --version -h --help)
    repeating_options=(--default-tags --templates --json-nested-fields-include --json-nested-fields-exclude --tag-keys --json-string-fields --wavefront-source-override --prometheus-metric-types-counter --prometheus-metric-types-gauge --csv-column-names --csv-column-types --csv-tag-columns --csv-skip-values)
    non_repeating_options=(--from --to --max-line --prefix --metric-name --influx-timestamp-precision --precision --influx-max-line-bytes --json-timestamp-units --json-timestamp-format --json-input-shape --json-name-key --json-query --json-time-key --json-time-format --json-timezone --metric-separator --statsd-tag-style --separator --template --graphite-tag-sanitize-mode --graphite-separator --graphite-strict-sanitize-regex --prometheus-metric-version --csv-header-row-count --csv-measurement-column --csv-timestamp-column --csv-timestamp-format --csv-timezone --csv-delimiter --csv-comment --csv-skip-rows --csv-skip-columns)
    __metricat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--from')
        return
        ;;
    '--to')
        __metricat_add_completions -W 'influx'$'\n''json'$'\n''wavefront'$'\n''statsd'$'\n''graphite'$'\n''prometheus'$'\n''csv'
        return
        ;;
    '--max-line')
        return
        ;;
    '--default-tags')
        return
        ;;
    '--prefix')
        return
        ;;
    '--metric-name')
        return
        ;;
    '--templates')
        return
        ;;
    '--influx-timestamp-precision'|'--precision')
        __metricat_add_completions -W 'ns'$'\n''us'$'\n''ms'$'\n''s'
        return
        ;;
    '--influx-max-line-bytes')
        return
        ;;
    '--json-timestamp-units')
        return
        ;;
    '--json-timestamp-format')
        return
        ;;
    '--json-nested-fields-include')
        return
        ;;
    '--json-nested-fields-exclude')
        return
        ;;
    '--json-input-shape')
        __metricat_add_completions -W 'auto'$'\n''metric'$'\n''flat'
        return
        ;;
    '--json-name-key')
        return
        ;;
    '--tag-keys')
        return
        ;;
    '--json-string-fields')
        return
        ;;
    '--json-query')
        return
        ;;
    '--json-time-key')
        return
        ;;
    '--json-time-format')
        return
        ;;
    '--json-timezone')
        return
        ;;
    '--wavefront-source-override')
        return
        ;;
    '--metric-separator')
        return
        ;;
    '--statsd-tag-style')
        __metricat_add_completions -W 'dogstatsd'$'\n''influx'$'\n''none'
        return
        ;;
    '--separator')
        return
        ;;
    '--template')
        return
        ;;
    '--graphite-tag-sanitize-mode')
        __metricat_add_completions -W 'strict'$'\n''compatible'
        return
        ;;
    '--graphite-separator')
        return
        ;;
    '--graphite-strict-sanitize-regex')
        return
        ;;
    '--prometheus-metric-version')
        return
        ;;
    '--prometheus-metric-types-counter')
        return
        ;;
    '--prometheus-metric-types-gauge')
        return
        ;;
    '--csv-header-row-count')
        return
        ;;
    '--csv-column-names')
        return
        ;;
    '--csv-column-types')
        return
        ;;
    '--csv-tag-columns')
        return
        ;;
    '--csv-measurement-column')
        return
        ;;
    '--csv-timestamp-column')
        return
        ;;
    '--csv-timestamp-format')
        return
        ;;
    '--csv-timezone')
        return
        ;;
    '--csv-delimiter')
        return
        ;;
    '--csv-comment')
        return
        ;;
    '--csv-skip-rows')
        return
        ;;
    '--csv-skip-columns')
        return
        ;;
    '--csv-skip-values')
        return
        ;;
    esac
}

_metricat_load() {
    repeating_flags=()
    non_repeating_flags=(--no-seq --non-blocking --no-gso --json --verbose -v --strict --influx-sort-fields --no-influx-sort-fields --influx-uint-support --no-influx-uint-support --influx-omit-timestamp --no-influx-omit-timestamp --json-batch --no-json-batch --json-strict --no-json-strict --wavefront-use-strict --no-wavefront-use-strict --wavefront-disable-prefix-conversion --no-wavefront-disable-prefix-conversion --datadog-extensions --no-datadog-extensions --datadog-keep-container-tag --no-datadog-keep-container-tag --datadog-distributions --no-datadog-distributions --datadog-timestamps --no-datadog-timestamps --graphite-tag-support --no-graphite-tag-support --prometheus-ignore-timestamp --no-prometheus-ignore-timestamp --prometheus-type-tag --no-prometheus-type-tag --prometheus-export-timestamp --no-prometheus-export-timestamp --prometheus-sort-metrics --no-prometheus-sort-metrics --prometheus-string-as-label --no-prometheus-string-as-label --prometheus-compact-encoding --no-prometheus-compact-encoding --csv-trim-space --no-csv-trim-space --version -h --help)
    repeating_options=(--field --tag --merge --default-tags --templates --json-nested-fields-include --json-nested-fields-exclude --tag-keys --json-string-fields --wavefront-source-override --prometheus-metric-types-counter --prometheus-metric-types-gauge --csv-column-names --csv-column-types --csv-tag-columns --csv-skip-values)
    non_repeating_options=(--transport --format --rate --duration --count --size --series --batch --max-datagram --name --seq-key --seq-as --senders --first-sender --connections --rcvbuf --drain --max-loss --ramp --step --step-duration --plot --sink-report --sink-wait --max-line --prefix --metric-name --influx-timestamp-precision --precision --influx-max-line-bytes --json-timestamp-units --json-timestamp-format --json-input-shape --json-name-key --json-query --json-time-key --json-time-format --json-timezone --metric-separator --statsd-tag-style --separator --template --graphite-tag-sanitize-mode --graphite-separator --graphite-strict-sanitize-regex --prometheus-metric-version --csv-header-row-count --csv-measurement-column --csv-timestamp-column --csv-timestamp-format --csv-timezone --csv-delimiter --csv-comment --csv-skip-rows --csv-skip-columns)
    __metricat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--transport')
        __metricat_add_completions -W 'udp'$'\n''udp6'$'\n''tcp'$'\n''tcp6'$'\n''unix'$'\n''unixgram'
        return
        ;;
    '--format')
        __metricat_add_completions -W 'influx'$'\n''json'$'\n''wavefront'$'\n''statsd'$'\n''graphite'$'\n''prometheus'$'\n''csv'
        return
        ;;
    '--rate')
        return
        ;;
    '--duration')
        return
        ;;
    '--count')
        return
        ;;
    '--size')
        return
        ;;
    '--series')
        return
        ;;
    '--batch')
        return
        ;;
    '--max-datagram')
        return
        ;;
    '--name')
        return
        ;;
    '--field')
        return
        ;;
    '--tag')
        return
        ;;
    '--seq-key')
        return
        ;;
    '--seq-as')
        __metricat_add_completions -W 'field'$'\n''tag'
        return
        ;;
    '--senders')
        return
        ;;
    '--first-sender')
        return
        ;;
    '--connections')
        return
        ;;
    '--rcvbuf')
        return
        ;;
    '--drain')
        return
        ;;
    '--max-loss')
        return
        ;;
    '--ramp')
        return
        ;;
    '--step')
        return
        ;;
    '--step-duration')
        return
        ;;
    '--plot')
        return
        ;;
    '--sink-report')
        return
        ;;
    '--sink-wait')
        return
        ;;
    '--merge')
        return
        ;;
    '--max-line')
        return
        ;;
    '--default-tags')
        return
        ;;
    '--prefix')
        return
        ;;
    '--metric-name')
        return
        ;;
    '--templates')
        return
        ;;
    '--influx-timestamp-precision'|'--precision')
        __metricat_add_completions -W 'ns'$'\n''us'$'\n''ms'$'\n''s'
        return
        ;;
    '--influx-max-line-bytes')
        return
        ;;
    '--json-timestamp-units')
        return
        ;;
    '--json-timestamp-format')
        return
        ;;
    '--json-nested-fields-include')
        return
        ;;
    '--json-nested-fields-exclude')
        return
        ;;
    '--json-input-shape')
        __metricat_add_completions -W 'auto'$'\n''metric'$'\n''flat'
        return
        ;;
    '--json-name-key')
        return
        ;;
    '--tag-keys')
        return
        ;;
    '--json-string-fields')
        return
        ;;
    '--json-query')
        return
        ;;
    '--json-time-key')
        return
        ;;
    '--json-time-format')
        return
        ;;
    '--json-timezone')
        return
        ;;
    '--wavefront-source-override')
        return
        ;;
    '--metric-separator')
        return
        ;;
    '--statsd-tag-style')
        __metricat_add_completions -W 'dogstatsd'$'\n''influx'$'\n''none'
        return
        ;;
    '--separator')
        return
        ;;
    '--template')
        return
        ;;
    '--graphite-tag-sanitize-mode')
        __metricat_add_completions -W 'strict'$'\n''compatible'
        return
        ;;
    '--graphite-separator')
        return
        ;;
    '--graphite-strict-sanitize-regex')
        return
        ;;
    '--prometheus-metric-version')
        return
        ;;
    '--prometheus-metric-types-counter')
        return
        ;;
    '--prometheus-metric-types-gauge')
        return
        ;;
    '--csv-header-row-count')
        return
        ;;
    '--csv-column-names')
        return
        ;;
    '--csv-column-types')
        return
        ;;
    '--csv-tag-columns')
        return
        ;;
    '--csv-measurement-column')
        return
        ;;
    '--csv-timestamp-column')
        return
        ;;
    '--csv-timestamp-format')
        return
        ;;
    '--csv-timezone')
        return
        ;;
    '--csv-delimiter')
        return
        ;;
    '--csv-comment')
        return
        ;;
    '--csv-skip-rows')
        return
        ;;
    '--csv-skip-columns')
        return
        ;;
    '--csv-skip-values')
        return
        ;;
    esac
}

_metricat_tail-log() {
    repeating_flags=()
    non_repeating_flags=(-d --dry-run -D --debug --totals --from-start --require --follow --verbose -v --version -h --help)
    repeating_options=(-o --output --count --sum --timer --gauge)
    non_repeating_options=(--parser -s --state-dir --state-file -p --prefix --metric-prefix -x --suffix --metric-suffix --format --graphite-host --graphite-protocol --statsd-host --stdout-separator --parser-options --log-levels --percentiles --key-separator --rules --interval --max-line --retry --retry-timeout -t --tailer --logtail --locker -l --log-dir --log-conf)
    __metricat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--parser')
        __metricat_add_completions -W 'sample'$'\n''log4j'$'\n''postfix'$'\n''squid'$'\n''apache-error'$'\n''metric'$'\n''json'
        return
        ;;
    '-s'|'--state-dir')
        return
        ;;
    '--state-file')
        return
        ;;
    '-p'|'--prefix'|'--metric-prefix')
        return
        ;;
    '-x'|'--suffix'|'--metric-suffix')
        return
        ;;
    '-o'|'--output')
        return
        ;;
    '--format')
        __metricat_add_completions -W 'logster'$'\n''influx'$'\n''json'$'\n''wavefront'$'\n''statsd'$'\n''graphite'$'\n''prometheus'$'\n''csv'
        return
        ;;
    '--graphite-host')
        return
        ;;
    '--graphite-protocol')
        __metricat_add_completions -W 'tcp'$'\n''udp'
        return
        ;;
    '--statsd-host')
        return
        ;;
    '--stdout-separator')
        return
        ;;
    '--parser-options')
        return
        ;;
    '--log-levels')
        return
        ;;
    '--percentiles')
        return
        ;;
    '--key-separator')
        return
        ;;
    '--count')
        return
        ;;
    '--sum')
        return
        ;;
    '--timer')
        return
        ;;
    '--gauge')
        return
        ;;
    '--rules')
        return
        ;;
    '--interval')
        return
        ;;
    '--max-line')
        return
        ;;
    '--retry')
        return
        ;;
    '--retry-timeout')
        return
        ;;
    '-t'|'--tailer')
        return
        ;;
    '--logtail')
        return
        ;;
    '--locker')
        return
        ;;
    '-l'|'--log-dir')
        return
        ;;
    '--log-conf')
        return
        ;;
    esac
}

_metricat_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __metricat_offer_flags_options -1
}

complete -o filenames -F _metricat metricat
