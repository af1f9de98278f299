module elfin.test/goruntime

go 1.19
