# bash completion for preflight(1): subcommands, and the options of each (DESIGN.md section 5).
# Installed to /usr/share/bash-completion/completions/preflight, loaded on demand by bash-completion.

_preflight()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="run demo runs report export help"
    local run_opts="--target --endpoint --db --scenario --users --rate --duration --levels --step
        --think-time --timeout --max-users --max-rate --max-duration --workers --gates --json --junit
        --report --store --insecure --yes --quiet --help"
    local demo_opts="--flaw --db --headless --report --json --help"
    local flaws="single-connection small-pool conn-per-request n-plus-one missing-index
        write-contention slow-endpoint no-health none"

    # The subcommand is the first word that is not an option.
    local command="" i
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            command=${words[i]}
            break
        fi
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    # Values of options that take one.
    case $prev in
        --scenario)
            COMPREPLY=($(compgen -W "sweep sustain burst soak" -- "$cur"))
            return ;;
        --gates)
            COMPREPLY=($(compgen -W "launch revised" -- "$cur") $(compgen -f -X '!*.json' -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        --flaw)
            # A comma-separated list: complete the last element.
            local prefix="" last=$cur
            if [[ $cur == *,* ]]; then
                prefix=${cur%,*},
                last=${cur##*,}
            fi
            COMPREPLY=($(compgen -P "$prefix" -W "$flaws" -- "$last"))
            compopt -o nospace 2>/dev/null
            return ;;
        --json|--junit|--report|--store|--html|--pdf)
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        --csv)
            COMPREPLY=($(compgen -d -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        --target|--endpoint|--db|--users|--rate|--duration|--levels|--step|--think-time|--timeout|--max-users|\
        --max-rate|--max-duration|--workers)
            return ;;
    esac

    case $command in
        run)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$run_opts" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
                compopt -o filenames 2>/dev/null
            fi ;;
        demo)
            COMPREPLY=($(compgen -W "$demo_opts" -- "$cur")) ;;
        runs)
            COMPREPLY=($(compgen -W "--store --help" -- "$cur")) ;;
        report)
            [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--store --html --pdf --help" -- "$cur")) ;;
        export)
            [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--store --csv --json --help" -- "$cur")) ;;
    esac
} &&
    complete -F _preflight preflight
