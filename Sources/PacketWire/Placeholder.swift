import Netfilter
